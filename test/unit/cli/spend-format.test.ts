import { describe, expect, it } from 'vitest';
import { usdCell } from '../../../src/cli/commands/spend.js';

describe('spend table USD cell', () => {
  it('shows unknown, never $0, when no request of the row had a price', () => {
    expect(usdCell({ requests: 2, unpriced_requests: 2, usd: 0 })).toBe('unknown');
  });
  it('says how many requests are missing from a partly priced row', () => {
    expect(usdCell({ requests: 3, unpriced_requests: 1, usd: 0.0123 })).toBe('$0.0123 + 1 unpriced');
  });
  it('shows the amount when every request was priced', () => {
    expect(usdCell({ requests: 3, unpriced_requests: 0, usd: 0.5 })).toBe('$0.5');
  });
});
