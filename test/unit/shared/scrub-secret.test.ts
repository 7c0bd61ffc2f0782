import { describe, expect, it } from 'vitest';
import { SCRUBBED, holdsSecret, scrubSecrets } from '../../../src/shared/scrub-secret.js';

const KEY = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';

describe('scrubSecrets', () => {
  it('replaces the exact key, every occurrence', () => {
    expect(scrubSecrets(`bad key ${KEY}; again ${KEY}.`, [KEY])).toBe(
      `bad key ${SCRUBBED}; again ${SCRUBBED}.`,
    );
  });

  it('replaces masks that keep the ends (any run of 8+ of its characters)', () => {
    const masked = `${KEY.slice(0, 8)}************${KEY.slice(-8)}`;
    expect(scrubSecrets(`Incorrect API key provided: ${masked}`, [KEY])).toBe(
      `Incorrect API key provided: ${SCRUBBED}************${SCRUBBED}`,
    );
    const middle = KEY.slice(10, 30);
    expect(scrubSecrets(`x${middle}y`, [KEY])).toBe(`x${SCRUBBED}y`);
  });

  it('leaves runs of 7 characters and unrelated text alone', () => {
    const seven = KEY.slice(12, 19);
    expect(scrubSecrets(`a ${seven} b`, [KEY])).toBe(`a ${seven} b`);
    expect(holdsSecret('nothing secret here at all', [KEY])).toBe(false);
    expect(holdsSecret(`${KEY.slice(3, 11)}`, [KEY])).toBe(true);
  });

  it('handles several secrets, undefined ones and short ones', () => {
    expect(scrubSecrets('k1=abcd1234efgh k2=zz', ['abcd1234efgh', undefined, 'zz'])).toBe(
      `k1=${SCRUBBED} k2=zz`,
    );
    expect(scrubSecrets('pin 4711 here', ['4711'])).toBe(`pin ${SCRUBBED} here`);
  });
});
