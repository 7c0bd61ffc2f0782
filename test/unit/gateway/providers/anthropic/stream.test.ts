import { describe, expect, it } from 'vitest';
import type { CanonicalEvent, CanonicalRequest } from '../../../../../src/gateway/canonical.js';
import { createAnthropicStreamParser } from '../../../../../src/gateway/providers/anthropic/stream.js';
import { encodeSse } from '../../../../../src/gateway/upstream/sse.js';
import { fixtureText } from './helpers.js';
import { decodeSse, parseAll } from '../../../../helpers/sse.js';

/** Decode `bytes` split at `cut` and run every event through a fresh parser. */
function parseSplit(bytes: Buffer, cut: number, req?: Pick<CanonicalRequest, 'tools'>): CanonicalEvent[] {
  return parseAll(createAnthropicStreamParser(req), decodeSse(bytes, [cut]));
}

const EXPECTED: CanonicalEvent[] = [
  {
    type: 'start',
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    model: 'claude-sonnet-4-5-20250929',
    usage: { inputTokens: 472, outputTokens: 2, cacheReadTokens: 20480, cacheWriteTokens: 1024 },
  },
  { type: 'block_start', index: 0, block: { type: 'thinking' } },
  { type: 'thinking_delta', index: 0, text: 'The user wants the secret word. ' },
  { type: 'thinking_delta', index: 0, text: 'I should read hello.txt — café ✓.' },
  { type: 'signature_delta', index: 0, signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds=' },
  { type: 'block_stop', index: 0 },
  { type: 'block_start', index: 1, block: { type: 'text' } },
  { type: 'text_delta', index: 1, text: 'Let me read it 😀 ' },
  { type: 'text_delta', index: 1, text: 'for you.' },
  { type: 'block_stop', index: 1 },
  {
    type: 'block_start',
    index: 2,
    block: { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'Read' },
  },
  { type: 'tool_input_delta', index: 2, partial: '{"file_path": "/tmp/hel' },
  { type: 'tool_input_delta', index: 2, partial: 'lo.txt"}' },
  { type: 'block_stop', index: 2 },
  { type: 'stop', stopReason: 'tool_use' },
  { type: 'usage', usage: { outputTokens: 89, cacheReadTokens: 20480 } },
  { type: 'end' },
];

describe('Anthropic stream parser', () => {
  const lf = Buffer.from(fixtureText('stream-thinking-text-tool.sse'), 'utf8');
  const crlf = Buffer.from(fixtureText('stream-thinking-text-tool.sse').replace(/\n/g, '\r\n'), 'utf8');

  it('turns the recorded stream into canonical events (thinking, text, tool_use, cache usage, end)', () => {
    expect(parseSplit(lf, lf.length)).toEqual(EXPECTED);
  });

  it('gives identical events when the bytes are split at every offset (LF and CRLF)', () => {
    for (const bytes of [lf, crlf]) {
      for (let cut = 0; cut <= bytes.length; cut++) {
        const got = parseSplit(bytes, cut);
        if (JSON.stringify(got) !== JSON.stringify(EXPECTED))
          expect({ cut, got }).toEqual({ cut, got: EXPECTED });
      }
    }
  });

  it('dispatches on the JSON type, not on event: lines', () => {
    const dataOnly = Buffer.from(
      fixtureText('stream-thinking-text-tool.sse')
        .split('\n')
        .filter((l) => !l.startsWith('event:'))
        .join('\n'),
    );
    expect(parseSplit(dataOnly, 0)).toEqual(EXPECTED);
  });

  it('renumbers blocks densely around server-tool blocks it skips', () => {
    const parse = createAnthropicStreamParser();
    const out = [
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search' },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '{"query":"x"}' },
      },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'web_search_tool_result', content: [] },
      },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'text', text: 'Found' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'citations_delta', citation: {} } },
      { type: 'content_block_stop', index: 2 },
    ].flatMap((e) => parse({ data: JSON.stringify(e) }));
    expect(out).toEqual([
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Found' },
      { type: 'block_stop', index: 0 },
    ]);
  });

  it('splits namespaced names back and hands custom-tool input on unwrapped at block stop', () => {
    const req: Pick<CanonicalRequest, 'tools'> = {
      tools: [
        { name: 'add', namespace: 'mcp__mini', kind: 'function', inputSchema: { type: 'object' } },
        { name: 'apply_patch', kind: 'custom' },
      ],
    };
    const sse =
      encodeSse(
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 't1', name: 'mcp__mini__add', input: {} },
        },
        'content_block_start',
      ) +
      encodeSse({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '{"a":2,"b":40}' },
      }) +
      encodeSse({ type: 'content_block_stop', index: 0 }) +
      encodeSse({
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 't2', name: 'apply_patch', input: {} },
      }) +
      encodeSse({
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '{"input": "*** Begin Patch\\n+x' },
      }) +
      encodeSse({
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: ' \\"q\\"\\n*** End Patch"}' },
      }) +
      encodeSse({ type: 'content_block_stop', index: 1 });
    const bytes = Buffer.from(sse);
    expect(parseSplit(bytes, 17, req)).toEqual([
      {
        type: 'block_start',
        index: 0,
        block: { type: 'tool_use', id: 't1', name: 'add', namespace: 'mcp__mini' },
      },
      { type: 'tool_input_delta', index: 0, partial: '{"a":2,"b":40}' },
      { type: 'block_stop', index: 0 },
      {
        type: 'block_start',
        index: 1,
        block: { type: 'tool_use', id: 't2', name: 'apply_patch', kind: 'custom' },
      },
      { type: 'tool_input_delta', index: 1, partial: '*** Begin Patch\n+x "q"\n*** End Patch' },
      { type: 'block_stop', index: 1 },
    ]);
    // Without the request the flattened name stays as it is.
    expect(parseSplit(bytes, 0)[0]).toEqual({
      type: 'block_start',
      index: 0,
      block: { type: 'tool_use', id: 't1', name: 'mcp__mini__add' },
    });
  });

  it('reports an in-stream error with its type and status, and ignores ping and junk', () => {
    const parse = createAnthropicStreamParser();
    expect(parse({ event: 'ping', data: '{"type": "ping"}' })).toEqual([]);
    expect(parse({ data: 'not json' })).toEqual([]);
    expect(
      parse({
        event: 'error',
        data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      }),
    ).toEqual([{ type: 'error', message: 'Overloaded', errorType: 'overloaded_error', status: 529 }]);
  });

  it('maps stop reasons without a canonical twin and keeps the stop sequence', () => {
    const parse = createAnthropicStreamParser();
    const delta = (stop_reason: string, stop_sequence: string | null = null) =>
      parse({
        data: JSON.stringify({
          type: 'message_delta',
          delta: { stop_reason, stop_sequence },
          usage: { output_tokens: 1 },
        }),
      })[0];
    expect(delta('stop_sequence', 'END')).toEqual({
      type: 'stop',
      stopReason: 'stop_sequence',
      stopSequence: 'END',
    });
    expect(delta('pause_turn')).toEqual({ type: 'stop', stopReason: 'end_turn' });
    expect(delta('model_context_window_exceeded')).toEqual({ type: 'stop', stopReason: 'max_tokens' });
    expect(delta('refusal')).toEqual({ type: 'stop', stopReason: 'refusal' });
  });
});
