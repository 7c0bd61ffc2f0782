import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { CanonicalResponse } from '../../../../src/gateway/canonical.js';
import { anthropicMessagesDialect as dialect } from '../../../../src/gateway/dialects/anthropic-messages.js';
import type { EncodeContext } from '../../../../src/gateway/dialects/types.js';
import { anthropicSchema } from '../providers/anthropic/helpers.js';

const CTX: EncodeContext = { model: 'claude-opus-4-8', requestId: 'req-7f3a', created: 1_700_000_000 };

const RESPONSE: CanonicalResponse = {
  id: 'chatcmpl-abc123',
  model: 'gpt-4o-2024-08-06',
  content: [
    { type: 'thinking', text: 'Thinking it over.' },
    { type: 'text', text: 'Reading the file.' },
    { type: 'tool_use', id: 'call_1', name: 'Read', input: '{"file_path":"/tmp/a"}' },
    { type: 'tool_use', id: 'call_2', name: 'apply_patch', kind: 'custom', input: '*** Begin Patch' },
    { type: 'tool_use', id: 'call_3', name: 'add', namespace: 'mcp__mini', input: { a: 1 } },
  ],
  stopReason: 'tool_use',
  usage: { inputTokens: 100, outputTokens: 20, cacheReadTokens: 50 },
};

describe('anthropic-messages encodeResponse', () => {
  it('writes a Messages object with object tool inputs and the model the client asked for', () => {
    const out = dialect.encodeResponse(RESPONSE, CTX) as Record<string, any>;
    expect(out).toEqual({
      id: 'msg_chatcmpl-abc123',
      type: 'message',
      role: 'assistant',
      model: 'claude-opus-4-8',
      content: [
        { type: 'thinking', thinking: 'Thinking it over.', signature: '' },
        { type: 'text', text: 'Reading the file.' },
        { type: 'tool_use', id: 'call_1', name: 'Read', input: { file_path: '/tmp/a' } },
        { type: 'tool_use', id: 'call_2', name: 'apply_patch', input: { input: '*** Begin Patch' } },
        { type: 'tool_use', id: 'call_3', name: 'add', input: { a: 1 } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 50 },
    });
  });

  it('is valid against the published Message schema (the parts it knows)', () => {
    const { content, ...rest } = dialect.encodeResponse(RESPONSE, CTX) as Record<string, any>;
    const known = { ...rest, content: content.filter((b: { type: string }) => b.type !== 'thinking') };
    const validate = anthropicSchema('Message');
    expect(validate(known), JSON.stringify(validate.errors)).toBe(true);
  });

  it('maps stop reasons and fills in what is missing', () => {
    const enc = (r: Partial<CanonicalResponse>) =>
      dialect.encodeResponse(
        { id: 'msg_keep', model: 'x', content: [], stopReason: null, ...r },
        CTX,
      ) as Record<string, any>;
    expect(enc({}).stop_reason).toBe('end_turn');
    expect(enc({}).id).toBe('msg_keep');
    expect(enc({}).usage).toEqual({ input_tokens: 0, output_tokens: 0 });
    expect(enc({ id: '' }).id).toBe('msg_req-7f3a');
    expect(enc({ stopReason: 'content_filter' }).stop_reason).toBe('refusal');
    expect(enc({ stopReason: 'stop_sequence', stopSequence: '###' })).toMatchObject({
      stop_reason: 'stop_sequence',
      stop_sequence: '###',
    });
    expect(enc({ content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] }).stop_reason).toBe(
      'tool_use',
    );
    expect(enc({ content: [{ type: 'thinking', text: '', redacted: 'xyz' }] }).content).toEqual([
      { type: 'redacted_thinking', data: 'xyz' },
    ]);
    expect(
      enc({ content: [{ type: 'tool_use', id: 't', name: 'f', input: 'not json' }] }).content[0].input,
    ).toEqual({ input: 'not json' });
  });

  it('reads back through the real Anthropic SDK', async () => {
    const body = JSON.stringify(dialect.encodeResponse(RESPONSE, CTX));
    const client = new Anthropic({
      apiKey: 'test',
      baseURL: 'http://127.0.0.1:9',
      maxRetries: 0,
      fetch: async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }),
    });
    const msg = await client.messages.create({
      model: 'claude-opus-4-8',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use', 'tool_use', 'tool_use']);
    expect(msg.usage.cache_read_input_tokens).toBe(50);
  });
});
