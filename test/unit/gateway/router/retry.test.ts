import { describe, expect, it } from 'vitest';
import { backoffMs, decide } from '../../../../src/gateway/router/retry.js';
import type { UpstreamFailure } from '../../../../src/gateway/errors.js';

const toggles = { onRateLimit: true, onContextWindow: true, onError: true };
const base = { numRetries: 3, retryAfterCapS: 60, toggles, random: () => 0.5 };
const f = (kind: UpstreamFailure['kind'], retryAfterS?: number): UpstreamFailure => ({
  kind,
  status: 500,
  message: 'x',
  retryAfterS,
});

describe('retry table', () => {
  it('backs off exponentially with bounded jitter', () => {
    expect(backoffMs(0, () => 0.5)).toBe(200);
    expect(backoffMs(1, () => 0.5)).toBe(400);
    expect(backoffMs(3, () => 0.5)).toBe(1600);
    expect(backoffMs(20, () => 0.5)).toBe(8000);
    expect(backoffMs(0, () => 0)).toBe(160);
    expect(backoffMs(0, () => 1)).toBe(240);
  });

  it('fails client errors at once, even with a fallback', () => {
    expect(decide({ ...base, failure: f('client'), hasNext: true, retriesOnThis: 0 })).toEqual({
      action: 'fail',
    });
  });

  it('falls back on 429 when allowed and another deployment exists', () => {
    expect(decide({ ...base, failure: f('rate_limit', 5), hasNext: true, retriesOnThis: 0 })).toEqual({
      action: 'fallback',
    });
  });

  it('retries a 429 on the last deployment after its Retry-After, within the cap', () => {
    expect(decide({ ...base, failure: f('rate_limit', 2), hasNext: false, retriesOnThis: 0 })).toEqual({
      action: 'retry',
      delayMs: 2000,
    });
    expect(decide({ ...base, failure: f('rate_limit', 120), hasNext: false, retriesOnThis: 0 })).toEqual({
      action: 'fail',
    });
    expect(decide({ ...base, failure: f('rate_limit', 1), hasNext: false, retriesOnThis: 3 })).toEqual({
      action: 'fail',
    });
  });

  it('does not fall back on 429 when on_rate_limit is off', () => {
    const d = decide({
      ...base,
      toggles: { ...toggles, onRateLimit: false },
      failure: f('rate_limit', 1),
      hasNext: true,
      retriesOnThis: 0,
    });
    expect(d).toEqual({ action: 'retry', delayMs: 1000 });
  });

  it('retries 5xx once before falling back, num_retries times on the last deployment', () => {
    expect(decide({ ...base, failure: f('server'), hasNext: true, retriesOnThis: 0 })).toEqual({
      action: 'retry',
      delayMs: 200,
    });
    expect(decide({ ...base, failure: f('server'), hasNext: true, retriesOnThis: 1 })).toEqual({
      action: 'fallback',
    });
    expect(decide({ ...base, failure: f('network'), hasNext: false, retriesOnThis: 2 })).toEqual({
      action: 'retry',
      delayMs: 800,
    });
    expect(decide({ ...base, failure: f('network'), hasNext: false, retriesOnThis: 3 })).toEqual({
      action: 'fail',
    });
  });

  it('context-window errors move on only when enabled', () => {
    expect(decide({ ...base, failure: f('context_window'), hasNext: true, retriesOnThis: 0 })).toEqual({
      action: 'fallback',
    });
    expect(
      decide({
        ...base,
        toggles: { ...toggles, onContextWindow: false },
        failure: f('context_window'),
        hasNext: true,
        retriesOnThis: 0,
      }),
    ).toEqual({ action: 'fail' });
  });

  it('timeouts move on at once when a fallback exists', () => {
    expect(decide({ ...base, failure: f('timeout'), hasNext: true, retriesOnThis: 0 })).toEqual({
      action: 'fallback',
    });
    expect(
      decide({
        ...base,
        toggles: { ...toggles, onError: false },
        failure: f('server'),
        hasNext: true,
        retriesOnThis: 1,
      }),
    ).toEqual({
      action: 'fail',
    });
  });
});
