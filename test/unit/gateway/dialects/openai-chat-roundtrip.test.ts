import { describe, expect, it } from 'vitest';
import type { CanonicalEvent, CanonicalRequest } from '../../../../src/gateway/canonical.js';
import { openaiChatDialect } from '../../../../src/gateway/dialects/openai-chat.js';
import { createChatCodec } from '../../../../src/gateway/providers/openai/chat-codec.js';
import { deployment, fixture, parseAll, request, sseEvents } from '../providers/openai/helpers.js';

/** The Chat dialect (client side) and the Chat codec (upstream side) are inverses where Chat can express it. */

const codec = createChatCodec('openai_compatible');
const d = deployment({ model: 'llama-3.3-70b' }, { type: 'openai_compatible' });

describe('Chat request: decodeRequest ∘ buildRequest', () => {
  it('a Chat body survives decode then build unchanged', () => {
    const body = {
      model: 'llama-3.3-70b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris, and 2+40?' },
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            { id: 'call_2', type: 'function', function: { name: 'add', arguments: '{"a":2,"b":40}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: '42' },
        { role: 'system', content: 'Answer in French.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'And this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
        {
          type: 'function',
          function: {
            name: 'add',
            parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
          },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: true,
      stop: ['END'],
      temperature: 0.3,
      top_p: 0.8,
      max_tokens: 256,
      user: 'u-7',
      seed: 11,
      stream: true,
      stream_options: { include_usage: true },
    };
    expect(codec.buildRequest(openaiChatDialect.decodeRequest(structuredClone(body)), d)).toEqual(body);
  });

  it('a canonical request survives build then decode (model aside)', () => {
    const req: CanonicalRequest = request({
      system: [{ type: 'text', text: 'You are terse.' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'one' },
            { type: 'image', source: { kind: 'url', url: 'https://x/y.png' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'calling' },
            { type: 'tool_use', id: 't1', name: 'f', input: { x: [1, 2] } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', toolUseId: 't1', content: 'done' }] },
        { role: 'system', content: [{ type: 'text', text: 'note' }] },
        { role: 'user', content: [{ type: 'text', text: 'two' }] },
      ],
      tools: [{ name: 'f', description: 'F', kind: 'function', inputSchema: { type: 'object' } }],
      toolChoice: { type: 'tool', name: 'f' },
      parallelToolCalls: false,
      stop: ['x', 'y'],
      maxTokens: 100,
      temperature: 1,
      topP: 0.5,
      user: 'me',
      stream: true,
      includeUsage: true,
      openaiExtra: { seed: 3 },
    });
    const back = openaiChatDialect.decodeRequest(codec.buildRequest(req, d));
    expect({ ...back, model: req.model }).toEqual(req);
  });
});

describe('Chat stream: streamEncoder then streamParser', () => {
  const tools = request({
    tools: [
      { name: 'add', namespace: 'mcp__mini', kind: 'function' },
      { name: 'patch', kind: 'custom' },
    ],
  });
  const ctx = { model: 'gpt-4o-2024-08-06', requestId: 'req_1', created: 1741570283, includeUsage: true };

  function throughClient(events: CanonicalEvent[], req?: CanonicalRequest): CanonicalEvent[] {
    const enc = openaiChatDialect.streamEncoder(ctx);
    const sse = events.map((e) => enc.event(e)).join('');
    return parseAll(codec.streamParser(req), sseEvents(Buffer.from(sse, 'utf8')));
  }

  it('an encoded stream parses back to the same canonical events', () => {
    const events: CanonicalEvent[] = [
      { type: 'start', id: 'chatcmpl-rt', model: 'gpt-4o-2024-08-06' },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'thinking_delta', index: 0, text: 'hmm' },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'é👋' },
      { type: 'block_stop', index: 1 },
      {
        type: 'block_start',
        index: 2,
        block: { type: 'tool_use', id: 'call_1', name: 'add', namespace: 'mcp__mini' },
      },
      { type: 'tool_input_delta', index: 2, partial: '{"a":' },
      { type: 'tool_input_delta', index: 2, partial: '2}' },
      { type: 'block_stop', index: 2 },
      { type: 'stop', stopReason: 'tool_use' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 9, cacheReadTokens: 100, reasoningTokens: 0 } },
      { type: 'end' },
    ];
    expect(throughClient(events, tools)).toEqual(events);
  });

  it('custom tool input round-trips (delivered whole when the block closes)', () => {
    const events: CanonicalEvent[] = [
      { type: 'start', id: 'chatcmpl-rt', model: 'gpt-4o-2024-08-06' },
      {
        type: 'block_start',
        index: 0,
        block: { type: 'tool_use', id: 'call_p', name: 'patch', kind: 'custom' },
      },
      { type: 'tool_input_delta', index: 0, partial: '*** Begin "Patch"\n\\' },
      { type: 'tool_input_delta', index: 0, partial: '*** End Patch' },
      { type: 'block_stop', index: 0 },
      { type: 'stop', stopReason: 'tool_use' },
      { type: 'end' },
    ];
    const back = throughClient(events, tools);
    expect(back.filter((e) => e.type === 'tool_input_delta')).toEqual([
      { type: 'tool_input_delta', index: 0, partial: '*** Begin "Patch"\n\\*** End Patch' },
    ]);
    expect(back[1]).toEqual(events[1]);
  });

  for (const name of ['text-stream.sse', 'tool-stream.sse']) {
    it(`${name}: upstream → canonical → client → canonical is stable`, () => {
      const first = parseAll(codec.streamParser(tools), sseEvents(Buffer.from(fixture(name), 'utf8')));
      expect(throughClient(first, tools)).toEqual(first);
    });
  }
});
