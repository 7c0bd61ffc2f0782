import { describe, expect, it } from 'vitest';
import { mark, readMark, valueFor } from '../../../../src/gateway/reasoning-origin/mark.js';
import { createStreamMarker } from '../../../../src/gateway/reasoning-origin/stream-marker.js';
import { messagesOpaque } from '../../../../src/gateway/dialects/opaque-reasoning.js';

const SIG = 'EqQBCkgIARABGAIiQLq+/Zx9w3t==';
const ev = (type: string, data: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const STREAM =
  ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }) +
  ev('content_block_delta', {
    index: 0,
    delta: { type: 'thinking_delta', thinking: 'say "signature":"x"' },
  }) +
  ev('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: SIG } }) +
  ev('content_block_stop', { index: 0 }) +
  ev('content_block_start', { index: 1, content_block: { type: 'redacted_thinking', data: 'RDATA1' } }) +
  ev('content_block_start', {
    index: 2,
    content_block: { type: 'tool_use', id: 't', name: 'n', input: {} },
  }) +
  ev('content_block_delta', {
    index: 2,
    delta: { type: 'input_json_delta', partial_json: '{"signature":"not-opaque"}' },
  }) +
  ev('message_stop', {});

describe('origin marks', () => {
  it('round-trip, and a value that is not marked is left as it is', () => {
    const m = mark(SIG, 'anthropic');
    expect(m).toBe(`agentbox:anthropic:${SIG}`);
    expect(readMark(m)).toEqual({ family: 'anthropic', original: SIG });
    expect(valueFor(m, 'anthropic')).toBe(SIG);
    expect(valueFor(m, 'openai')).toBeUndefined();
    expect(valueFor(SIG, 'openai')).toBe(SIG);
    // Provider values are base64, base64url or Fernet: none can hold the mark's colon.
    expect(readMark('gAAAAABo-x_y=')).toBeUndefined();
    expect(mark(m, 'openai')).toBe(m);
    expect(mark('', 'anthropic')).toBe('');
  });
});

describe('stream marker', () => {
  const whole = (): string => {
    const m = createStreamMarker(messagesOpaque.streamKeys, 'anthropic');
    return Buffer.concat([m.push(Buffer.from(STREAM)), m.flush()]).toString();
  };

  it('marks the signature delta and the redacted data, and nothing inside strings', () => {
    const out = whole();
    expect(out).toContain(`"signature":"agentbox:anthropic:${SIG}"`);
    expect(out).toContain('"data":"agentbox:anthropic:RDATA1"');
    // The empty signature of content_block_start and escaped text stay as they were.
    expect(out).toContain('"signature":""');
    expect(out).toContain('say \\"signature\\":\\"x\\"');
    expect(out).toContain('{\\"signature\\":\\"not-opaque\\"}');
    expect(out.replaceAll('agentbox:anthropic:', '')).toBe(STREAM);
  });

  it('gives the same bytes whatever the chunk boundaries', () => {
    const expected = whole();
    const bytes = Buffer.from(STREAM);
    for (let cut = 1; cut < bytes.length; cut++) {
      const m = createStreamMarker(messagesOpaque.streamKeys, 'anthropic');
      const out = Buffer.concat([m.push(bytes.subarray(0, cut)), m.push(bytes.subarray(cut)), m.flush()]);
      expect(out.toString(), `split at ${cut}`).toBe(expected);
    }
  });

  it('passes a chunk without a key through as the same buffer', () => {
    const m = createStreamMarker(messagesOpaque.streamKeys, 'anthropic');
    const chunk = Buffer.from(ev('message_stop', {}));
    expect(m.push(chunk)).toBe(chunk);
  });
});
