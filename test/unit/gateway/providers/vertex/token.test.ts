import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceAccount } from '../../../../../src/config/types.js';
import { createTokenSource } from '../../../../../src/gateway/providers/vertex/token.js';
import { startFakeTokenEndpoint, type FakeTokenEndpoint } from '../../../../helpers/fake-token-endpoint.js';

/** The signed-JWT grant against a token endpoint that verifies signature and claims. */

let tok: FakeTokenEndpoint;
let sa: ServiceAccount;
beforeAll(async () => {
  tok = await startFakeTokenEndpoint();
  sa = { clientEmail: tok.keyFile.client_email, privateKey: tok.keyFile.private_key, tokenUri: tok.url };
});
afterAll(() => tok.close());

describe('createTokenSource', () => {
  it('caches a token until it nears expiry, then refreshes once, however many callers wait', async () => {
    let now = Date.now();
    const source = createTokenSource({ now: () => now, refreshMarginS: 300 });
    tok.delayMs = 50;
    const first = await Promise.all([source.token(sa), source.token(sa), source.token(sa)]);
    expect(tok.errors).toEqual([]);
    expect(new Set(first)).toEqual(new Set([tok.issued[0]]));
    expect(tok.requests).toBe(1);

    now += (3600 - 301) * 1000; // still outside the margin
    expect(await source.token(sa)).toBe(tok.issued[0]);
    expect(tok.requests).toBe(1);

    now += 2000; // inside the five-minute margin: refreshed before it expires
    const again = await Promise.all([source.token(sa), source.token(sa)]);
    expect(tok.requests).toBe(2);
    expect(again).toEqual([tok.issued[1], tok.issued[1]]);
    tok.delayMs = 0;
  });

  it('a refused grant rejects every waiting caller with the account named, and the next call retries', async () => {
    const source = createTokenSource();
    const other = { ...sa, clientEmail: 'someone-else@my-proj.iam.gserviceaccount.com' };
    const before = tok.requests;
    const results = await Promise.allSettled([source.token(other), source.token(other)]);
    expect(tok.requests).toBe(before + 1);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const e = (r as PromiseRejectedResult).reason as Error;
      expect(e.message).toContain('someone-else@my-proj.iam.gserviceaccount.com');
      expect(e.message).not.toContain('PRIVATE KEY');
    }
    await expect(source.token(other)).rejects.toThrow(/iss someone-else/);
    expect(tok.requests).toBe(before + 2);
  });

  it('an unusable private key is reported, not thrown raw', async () => {
    const source = createTokenSource();
    await expect(source.token({ ...sa, clientEmail: 'bad-key@x', privateKey: 'not a key' })).rejects.toThrow(
      /private key of bad-key@x cannot sign/,
    );
  });
});
