import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type {
  CanonicalEvent,
  CanonicalRequest,
  CanonicalResponse,
} from '../../../../../src/gateway/canonical.js';
import type { Deployment } from '../../../../../src/config/types.js';
import { GatewayError } from '../../../../../src/gateway/errors.js';
import { openaiResponsesDialect as dialect } from '../../../../../src/gateway/dialects/openai-responses.js';
import { responsesCodec as codec } from '../../../../../src/gateway/providers/openai/responses-codec.js';
import { encodeSse } from '../../../../../src/gateway/upstream/sse.js';
import { validateOpenAI } from '../../../../helpers/openai-schema.js';
import { decodeSse, parseAll } from '../../../../helpers/sse.js';

type Json = Record<string, any>;

function fixture(name: string): Json {
  const url = new URL(`../../../../fixtures/responses/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { body: Json }).body;
}

function deployment(extra: Partial<Deployment> = {}): Deployment {
  return {
    id: 'openai/gpt-5.5',
    alias: 'default',
    index: 0,
    model: 'gpt-5.5',
    provider: { name: 'openai', type: 'openai', apiBase: 'https://api.openai.com/v1', keyState: 'set' },
    ...extra,
  };
}

const ctx = { model: 'code', requestId: 'req_7', created: 1_790_000_000 };

const ITEM_SCHEMA: Record<string, string> = {
  message: 'EasyInputMessage',
  function_call: 'FunctionToolCall',
  function_call_output: 'FunctionCallOutputItemParam',
  custom_tool_call: 'CustomToolCall',
  custom_tool_call_output: 'CustomToolCallOutput',
};

/**
 * CreateResponse validation. Without its discriminator the published `InputItem` union is
 * ambiguous for messages (EasyInputMessage and InputMessage both match, so `oneOf` fails even
 * for Codex's own bodies): the envelope is checked with an empty input, each item on its own.
 */
function validateCreateResponse(body: Json): string[] {
  const errors = validateOpenAI('CreateResponse', { ...body, input: [] });
  for (const item of body.input as Json[]) {
    const name = ITEM_SCHEMA[item.type];
    if (!name) errors.push(`no schema for item type ${item.type}`);
    else errors.push(...validateOpenAI(name, item).map((e) => `${item.type}: ${e}`));
  }
  return errors;
}

describe('responsesCodec.rewriteForPassthrough', () => {
  it('sets the model and keeps every other field of the Codex body untouched', () => {
    const body = fixture('codex-mcp-round');
    const original = structuredClone(body);
    const out = codec.rewriteForPassthrough(body, deployment());
    expect(out.model).toBe('gpt-5.5');
    expect({ ...out, model: original.model }).toEqual(original);
  });

  it('clamps max_output_tokens to the deployment and merges params under the body', () => {
    const d = deployment({
      maxTokens: 1000,
      params: { temperature: 0.1, top_p: 0.5, max_tokens: 5000, seed: 3, reasoning_effort: 'low' },
    });
    expect(codec.rewriteForPassthrough({ model: 'a', input: 'x', max_output_tokens: 4000 }, d)).toEqual({
      model: 'gpt-5.5',
      input: 'x',
      max_output_tokens: 1000,
      temperature: 0.1,
      top_p: 0.5,
      reasoning: { effort: 'low' },
    });
    const own = codec.rewriteForPassthrough(
      {
        model: 'a',
        input: 'x',
        max_output_tokens: 200,
        temperature: 0.9,
        reasoning: { effort: 'high', summary: 'auto' },
      },
      d,
    );
    expect(own).toMatchObject({
      max_output_tokens: 200,
      temperature: 0.9,
      reasoning: { effort: 'high', summary: 'auto' },
    });
    expect(own.seed).toBeUndefined(); // a Chat-only parameter is not sent to /responses
    expect(
      codec.rewriteForPassthrough({ model: 'a', input: 'x' }, deployment({ maxTokens: 10 }))
        .max_output_tokens,
    ).toBeUndefined();
  });
});

describe('responsesCodec.buildRequest', () => {
  it('the CreateResponse check passes the real Codex body and catches a broken item', () => {
    const body = fixture('codex-tool-round');
    expect(validateCreateResponse(body)).toEqual([]);
    const broken = structuredClone(body);
    delete broken.input[4].call_id;
    expect(validateCreateResponse(broken)).not.toEqual([]);
  });

  for (const name of ['codex-text', 'codex-tool-round', 'codex-patch-round', 'codex-mcp-round']) {
    it(`builds a valid CreateResponse from the decoded ${name} body that decodes back to the same request`, () => {
      const canonical = dialect.decodeRequest(fixture(name));
      const built = codec.buildRequest(canonical, deployment());
      expect(validateCreateResponse(built)).toEqual([]);
      expect(built).toMatchObject({ model: 'gpt-5.5', store: false, stream: true });
      const again = dialect.decodeRequest(built);
      expect(again.messages).toEqual(canonical.messages);
      expect(again.tools).toEqual(canonical.tools);
      expect(again.toolChoice).toEqual(canonical.toolChoice);
      expect(again.reasoning).toEqual(canonical.reasoning);
    });
  }

  it('maps system, tool results with errors, images and limits', () => {
    const req: CanonicalRequest = {
      model: 'code',
      system: [{ type: 'text', text: 'be brief' }],
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } }],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'hm', signature: 's' },
            { type: 'tool_use', id: 'c1', name: 'f', input: { x: 1 } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', toolUseId: 'c1', content: 'boom', isError: true }] },
      ],
      stream: false,
      maxTokens: 5000,
      toolChoice: { type: 'tool', name: 'f' },
      tools: [{ name: 'f', kind: 'function', inputSchema: { type: 'object' } }],
      responseFormat: { type: 'json_schema', name: 'o', schema: { type: 'object' } },
    };
    const built = codec.buildRequest(req, deployment({ maxTokens: 1000 }));
    expect(validateCreateResponse(built)).toEqual([]);
    expect(built).toMatchObject({
      instructions: 'be brief',
      max_output_tokens: 1000,
      tool_choice: { type: 'function', name: 'f' },
      text: { format: { type: 'json_schema', name: 'o', schema: { type: 'object' } } },
      stream: false,
    });
    expect(built.input).toEqual([
      {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'auto' }],
      },
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"x":1}' },
      { type: 'function_call_output', call_id: 'c1', output: 'Error: boom' },
    ]);
  });
});

describe('responsesCodec.parseResponse', () => {
  it('reads back what the Responses encoder writes', () => {
    const original: CanonicalResponse = {
      id: 'x',
      model: 'm',
      stopReason: 'tool_use',
      content: [
        { type: 'thinking', text: 'plan', signature: 'enc' },
        { type: 'text', text: 'Running.' },
        {
          type: 'tool_use',
          id: 'call_1',
          name: 'add',
          namespace: 'mcp__mini',
          input: { a: 1 },
          kind: 'function',
        },
        { type: 'tool_use', id: 'call_2', name: 'apply_patch', input: '*** Begin Patch', kind: 'custom' },
      ],
      usage: { inputTokens: 10, outputTokens: 4, cacheReadTokens: 90, reasoningTokens: 2 },
    };
    const parsed = codec.parseResponse(dialect.encodeResponse(original, ctx));
    expect(parsed).toEqual({ ...original, id: 'resp_req7', model: 'code' });
  });

  it('maps incomplete responses, refusals and rejects non-responses', () => {
    const incomplete = dialect.encodeResponse(
      { id: 'x', model: 'm', stopReason: 'max_tokens', content: [{ type: 'text', text: 'Hel' }] },
      ctx,
    );
    expect(codec.parseResponse(incomplete).stopReason).toBe('max_tokens');
    const refusal = codec.parseResponse({
      id: 'r',
      object: 'response',
      status: 'completed',
      model: 'gpt',
      output: [
        {
          type: 'message',
          id: 'm',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'refusal', refusal: 'no' }],
        },
      ],
    });
    expect(refusal).toMatchObject({ stopReason: 'refusal', content: [{ type: 'text', text: 'no' }] });
    expect(() => codec.parseResponse('nope')).toThrow();
    expect(() => codec.parseResponse({ object: 'chat.completion' })).toThrow();
  });
});

/** Canonical events → Responses SSE bytes (the dialect's stream encoder). */
function encodeStream(events: CanonicalEvent[]): Buffer {
  const enc = dialect.streamEncoder(ctx);
  return Buffer.from(events.map((e) => enc.event(e)).join(''), 'utf8');
}

function parseBytes(bytes: Buffer, cuts: number[]): CanonicalEvent[] {
  return parseAll(codec.streamParser(), decodeSse(bytes, cuts));
}

const streamIn: CanonicalEvent[] = [
  { type: 'start', id: 'up', model: 'm', usage: { inputTokens: 20, cacheReadTokens: 5 } },
  { type: 'block_start', index: 0, block: { type: 'thinking' } },
  { type: 'thinking_delta', index: 0, text: 'hmm' },
  { type: 'signature_delta', index: 0, signature: 'enc-1' },
  { type: 'block_stop', index: 0 },
  { type: 'block_start', index: 1, block: { type: 'text' } },
  { type: 'text_delta', index: 1, text: 'héllo ✓ ' },
  { type: 'text_delta', index: 1, text: '日本' },
  { type: 'block_stop', index: 1 },
  {
    type: 'block_start',
    index: 2,
    block: { type: 'tool_use', id: 'call_1', name: 'add', namespace: 'mcp__mini' },
  },
  { type: 'tool_input_delta', index: 2, partial: '{"a":' },
  { type: 'tool_input_delta', index: 2, partial: '2}' },
  { type: 'block_stop', index: 2 },
  {
    type: 'block_start',
    index: 3,
    block: { type: 'tool_use', id: 'call_2', name: 'apply_patch', kind: 'custom' },
  },
  { type: 'tool_input_delta', index: 3, partial: '*** Begin Patch' },
  { type: 'block_stop', index: 3 },
  { type: 'usage', usage: { outputTokens: 9 } },
  { type: 'stop', stopReason: 'tool_use' },
  { type: 'end' },
];

const streamOut: CanonicalEvent[] = [
  { type: 'start', id: 'resp_req7', model: 'code' },
  { type: 'block_start', index: 0, block: { type: 'thinking' } },
  { type: 'thinking_delta', index: 0, text: 'hmm' },
  { type: 'signature_delta', index: 0, signature: 'enc-1' },
  { type: 'block_stop', index: 0 },
  { type: 'block_start', index: 1, block: { type: 'text' } },
  { type: 'text_delta', index: 1, text: 'héllo ✓ ' },
  { type: 'text_delta', index: 1, text: '日本' },
  { type: 'block_stop', index: 1 },
  {
    type: 'block_start',
    index: 2,
    block: { type: 'tool_use', id: 'call_1', name: 'add', kind: 'function', namespace: 'mcp__mini' },
  },
  { type: 'tool_input_delta', index: 2, partial: '{"a":' },
  { type: 'tool_input_delta', index: 2, partial: '2}' },
  { type: 'block_stop', index: 2 },
  {
    type: 'block_start',
    index: 3,
    block: { type: 'tool_use', id: 'call_2', name: 'apply_patch', kind: 'custom' },
  },
  { type: 'tool_input_delta', index: 3, partial: '*** Begin Patch' },
  { type: 'block_stop', index: 3 },
  { type: 'usage', usage: { inputTokens: 20, outputTokens: 9, cacheReadTokens: 5, reasoningTokens: 0 } },
  { type: 'stop', stopReason: 'tool_use' },
  { type: 'end' },
];

describe('responsesCodec.streamParser', () => {
  it('reads the encoder’s stream back into the same canonical events', () => {
    expect(parseBytes(encodeStream(streamIn), [])).toEqual(streamOut);
  });

  it('gives the same events with the stream split at every byte offset', () => {
    const bytes = encodeStream(streamIn);
    for (let i = 1; i < bytes.length; i++) {
      const got = parseBytes(bytes, [i]);
      if (JSON.stringify(got) !== JSON.stringify(streamOut))
        expect({ cut: i, got }).toEqual({ cut: i, got: streamOut });
    }
  });

  it('accepts a minimal stream: no event lines, no created, no added, no deltas', () => {
    const items = [
      {
        type: 'message',
        id: 'm1',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Hi', annotations: [] }],
      },
      {
        type: 'function_call',
        id: 'fc1',
        call_id: 'c1',
        name: 'exec_command',
        arguments: '{"cmd":"ls"}',
        status: 'completed',
      },
    ];
    const sse =
      items
        .map((item, i) => encodeSse({ type: 'response.output_item.done', output_index: i, item }))
        .join('') + encodeSse({ type: 'response.completed', response: { id: 'resp_1' } });
    expect(parseBytes(Buffer.from(sse), [])).toEqual([
      { type: 'start', id: '', model: '' },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Hi' },
      { type: 'block_stop', index: 0 },
      {
        type: 'block_start',
        index: 1,
        block: { type: 'tool_use', id: 'c1', name: 'exec_command', kind: 'function' },
      },
      { type: 'tool_input_delta', index: 1, partial: '{"cmd":"ls"}' },
      { type: 'block_stop', index: 1 },
      { type: 'stop', stopReason: 'tool_use' },
      { type: 'end' },
    ]);
  });

  it('fills in text that only the .done events carry', () => {
    const sse = [
      { type: 'response.created', response: { id: 'r', model: 'gpt' } },
      {
        type: 'response.output_item.added',
        output_index: 0,
        item: { type: 'message', id: 'm', role: 'assistant', content: [] },
      },
      {
        type: 'response.content_part.added',
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text: '' },
      },
      { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hel' },
      { type: 'response.output_text.done', output_index: 0, content_index: 0, text: 'Hello' },
      {
        type: 'response.incomplete',
        response: { id: 'r', status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
      },
    ]
      .map((e) => encodeSse(e, e.type))
      .join('');
    const events = parseBytes(Buffer.from(sse), []);
    expect(events.filter((e) => e.type === 'text_delta').map((e) => (e as { text: string }).text)).toEqual([
      'Hel',
      'lo',
    ]);
    expect(events.slice(-3)).toEqual([
      { type: 'block_stop', index: 0 },
      { type: 'stop', stopReason: 'max_tokens' },
      { type: 'end' },
    ]);
  });

  it('turns response.failed and error events into canonical errors, and reads nothing after them', () => {
    const failed = parseBytes(
      Buffer.from(
        encodeSse({ type: 'response.created', response: { id: 'r' } }, 'response.created') +
          encodeSse(
            {
              type: 'response.failed',
              response: {
                id: 'r',
                status: 'failed',
                error: { code: 'rate_limit_exceeded', message: 'slow down' },
              },
            },
            'response.failed',
          ) +
          encodeSse({ type: 'response.completed', response: { id: 'r' } }, 'response.completed'),
      ),
      [],
    );
    expect(failed).toEqual([
      { type: 'start', id: 'r', model: '' },
      { type: 'error', message: 'slow down', errorType: 'rate_limit_exceeded', status: 429 },
    ]);
    const err = parseBytes(
      Buffer.from(encodeSse({ type: 'error', code: 'server_error', message: 'boom', param: null })),
      [],
    );
    expect(err).toEqual([{ type: 'error', message: 'boom', errorType: 'server_error' }]);
  });

  it('ends a stream encoded with error() in an error, never an end', () => {
    const enc = dialect.streamEncoder(ctx);
    let sse = streamIn
      .slice(0, 7)
      .map((e) => enc.event(e))
      .join('');
    sse += enc.error(new GatewayError('upstream_error', 'upstream stream failed: connection reset'));
    const events = parseBytes(Buffer.from(sse), []);
    expect(events.some((e) => e.type === 'end')).toBe(false);
    expect(events[events.length - 1].type).toBe('error');
  });
});
