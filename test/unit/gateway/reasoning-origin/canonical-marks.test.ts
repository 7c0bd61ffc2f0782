import { describe, expect, it } from 'vitest';
import type { CanonicalEvent, CanonicalRequest } from '../../../../src/gateway/canonical.js';
import {
  createEventMarker,
  markResponse,
  requestForFamily,
} from '../../../../src/gateway/reasoning-origin/canonical.js';

const G = 'agentbox:gemini:';

describe('translated stream events', () => {
  it('marks the first signature delta of a block, redacted data and a call signature', () => {
    const mark = createEventMarker('gemini');
    const out = (
      [
        { type: 'block_start', index: 0, block: { type: 'thinking' } },
        { type: 'signature_delta', index: 0, signature: 'AB' },
        { type: 'signature_delta', index: 0, signature: 'CD' },
        { type: 'block_stop', index: 0 },
        { type: 'block_start', index: 1, block: { type: 'thinking', redacted: 'R' } },
        { type: 'block_start', index: 2, block: { type: 'tool_use', id: 't', name: 'f', signature: 'S' } },
      ] as CanonicalEvent[]
    ).flatMap(mark);
    expect(
      out.filter((e) => e.type === 'signature_delta').map((e) => (e as { signature: string }).signature),
    ).toEqual([`${G}AB`, 'CD']);
    expect(out[4]).toMatchObject({ block: { redacted: `${G}R` } });
    expect(out[5]).toMatchObject({ block: { signature: `${G}S` } });
  });

  it('gives an unsigned thinking block the bare mark before it closes, or before the stop', () => {
    const mark = createEventMarker('openai_compatible');
    const closed = (
      [
        { type: 'thinking_delta', index: 0, text: 'hm' },
        { type: 'block_stop', index: 0 },
      ] as CanonicalEvent[]
    ).flatMap(mark);
    expect(closed.map((e) => e.type)).toEqual(['thinking_delta', 'signature_delta', 'block_stop']);
    expect(closed[1]).toMatchObject({ index: 0, signature: 'agentbox:openai_compatible:' });
    const open = createEventMarker('x');
    const stopped = (
      [
        { type: 'thinking_delta', index: 3, text: 'hm' },
        { type: 'stop', stopReason: 'end_turn' },
      ] as CanonicalEvent[]
    ).flatMap(open);
    expect(stopped.map((e) => e.type)).toEqual(['thinking_delta', 'signature_delta', 'stop']);
  });
});

describe('translated answers and requests', () => {
  it('a marked answer goes home unmarked and abroad without its opaque parts', () => {
    const res = markResponse(
      {
        id: 'r',
        model: 'm',
        stopReason: 'tool_use',
        content: [
          { type: 'thinking', text: 'why', signature: 'S1' },
          { type: 'thinking', text: '', redacted: 'R1' },
          { type: 'tool_use', id: 't', name: 'f', input: {}, signature: 'S2' },
        ],
      },
      'gemini',
    );
    const req: CanonicalRequest = {
      model: 'a',
      system: [],
      stream: false,
      messages: [{ role: 'assistant', content: res.content }],
    };
    expect(requestForFamily(req, 'gemini').messages[0].content).toEqual([
      { type: 'thinking', text: 'why', signature: 'S1' },
      { type: 'thinking', text: '', redacted: 'R1' },
      { type: 'tool_use', id: 't', name: 'f', input: {}, signature: 'S2' },
    ]);
    expect(requestForFamily(req, 'anthropic').messages[0].content).toEqual([
      { type: 'thinking', text: 'why' },
      { type: 'tool_use', id: 't', name: 'f', input: {} },
    ]);
    // The request itself is left as it was, for the next deployment of the chain.
    expect(req.messages[0].content[0]).toEqual({ type: 'thinking', text: 'why', signature: `${G}S1` });
  });
});
