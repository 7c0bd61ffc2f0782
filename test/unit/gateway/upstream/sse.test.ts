import { describe, expect, it } from 'vitest';
import { SseDecoder, encodeSse, type SseEvent } from '../../../../src/gateway/upstream/sse.js';
import { decodeSse } from '../../../helpers/sse.js';

const fixture = [
  'event: message_start\ndata: {"type":"message_start","text":"héllo ✓ 日本"}\n\n',
  ': a comment line\n\n',
  'data: {"a":1}\r\n\r\n',
  'data: line one\ndata: line two\n\n',
  'event: ping\ndata: {}\r\rdata: [DONE]\n\n',
].join('');
const expected: SseEvent[] = [
  { event: 'message_start', data: '{"type":"message_start","text":"héllo ✓ 日本"}' },
  { data: '{"a":1}' },
  { data: 'line one\nline two' },
  { event: 'ping', data: '{}' },
  { data: '[DONE]' },
];

const decodeSplit = (bytes: Buffer, at: number[]): SseEvent[] => decodeSse(bytes, at);

describe('SseDecoder', () => {
  const bytes = Buffer.from(fixture, 'utf8');
  it('decodes a whole buffer', () => {
    expect(decodeSplit(bytes, [])).toEqual(expected);
  });
  it('gives the same events when the input is split at every byte offset', () => {
    for (let i = 1; i < bytes.length; i++) expect(decodeSplit(bytes, [i]), `split at ${i}`).toEqual(expected);
  });
  it('gives the same events when fed one byte at a time', () => {
    expect(
      decodeSplit(
        bytes,
        Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
      ),
    ).toEqual(expected);
  });
  it('delivers a final event without a trailing blank line at end()', () => {
    expect(decodeSplit(Buffer.from('data: tail'), [])).toEqual([{ data: 'tail' }]);
  });
  it('encodes with and without an event name, multi-line data split into data lines', () => {
    expect(encodeSse({ a: 1 })).toBe('data: {"a":1}\n\n');
    expect(encodeSse('x', 'ping')).toBe('event: ping\ndata: x\n\n');
    expect(new SseDecoder().push(encodeSse('a\nb', 'e'))).toEqual([{ event: 'e', data: 'a\nb' }]);
  });
});
