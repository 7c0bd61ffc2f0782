import { describe, expect, it } from 'vitest';
import {
  createEventStreamDecoder,
  unwrapInvokeChunk,
} from '../../../../../src/gateway/providers/bedrock/event-stream.js';
import { awsEvent, awsException, invokeChunk } from '../../../../helpers/aws-wire.js';

const stream = Buffer.concat([
  awsEvent('messageStart', { role: 'assistant' }),
  awsEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'héllo ✓' } }),
  awsException('throttlingException', 'slow down'),
]);

const expected = [
  { event: 'messageStart', data: '{"role":"assistant"}' },
  { event: 'contentBlockDelta', data: '{"contentBlockIndex":0,"delta":{"text":"héllo ✓"}}' },
  { event: 'error', data: '{"type":"error","error":{"type":"throttlingException","message":"slow down"}}' },
];

describe('event-stream decoder', () => {
  it('yields the same events however the bytes are split (every offset)', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = createEventStreamDecoder();
      const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut)), ...d.end()];
      expect(got, `split at ${cut}`).toEqual(expected);
    }
  });

  it('throws on a corrupted frame and on a stream that ends inside a message', () => {
    const bad = Buffer.from(stream);
    bad[20] ^= 0xff;
    expect(() => createEventStreamDecoder().push(bad)).toThrow();
    const d = createEventStreamDecoder();
    d.push(stream.subarray(0, stream.length - 3));
    expect(() => d.end()).toThrow(/ended inside a message/);
  });

  it('unwraps InvokeModel chunk frames into Messages stream events', () => {
    const d = createEventStreamDecoder(unwrapInvokeChunk);
    const ev = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } };
    expect(d.push(invokeChunk(ev))).toEqual([{ event: 'content_block_delta', data: JSON.stringify(ev) }]);
  });
});
