import { createSign } from 'node:crypto';
import type { ServiceAccount } from '../../../config/types.js';
import { GatewayError } from '../../errors.js';

/**
 * OAuth access tokens for a Google service account by the signed-JWT grant (RFC 7523): an RS256
 * JWT signed with the account's private key, exchanged at its `token_uri`. Each token is cached
 * and refreshed once it is within `refreshMarginS` of expiry, with at most one refresh in flight
 * per account; concurrent callers share it. node:crypto and undici suffice, so google-auth-library
 * (and its dependency tree) is not needed for this one grant.
 */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface TokenSourceOptions {
  /** The clock for cache decisions (the JWT itself is always stamped with the real time). */
  now?: () => number;
  /** Refresh this many seconds before expiry (default 300). */
  refreshMarginS?: number;
  timeoutMs?: number;
}

export interface TokenSource {
  token(sa: ServiceAccount): Promise<string>;
  /** The default service account's token from the GCE metadata server at `host`. */
  metadata(host: string): Promise<string>;
}

interface Entry {
  token?: string;
  expiresAt: number;
  inFlight?: Promise<string>;
}

export function createTokenSource(opts: TokenSourceOptions = {}): TokenSource {
  const now = opts.now ?? Date.now;
  const margin = (opts.refreshMarginS ?? 300) * 1000;
  const entries = new Map<string, Entry>();
  const cached = (
    key: string,
    obtain: () => Promise<{ token: string; expiresInS: number }>,
  ): Promise<string> => {
    let e = entries.get(key);
    if (!e) {
      e = { expiresAt: 0 };
      entries.set(key, e);
    }
    if (e.token && e.expiresAt - margin > now()) return Promise.resolve(e.token);
    if (e.inFlight) return e.inFlight;
    const entry = e;
    entry.inFlight = obtain()
      .then(({ token, expiresInS }) => {
        entry.token = token;
        entry.expiresAt = now() + expiresInS * 1000;
        return token;
      })
      .finally(() => {
        entry.inFlight = undefined;
      });
    return entry.inFlight;
  };
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return {
    token: (sa) => cached(`${sa.clientEmail}\n${sa.tokenUri}`, () => fetchToken(sa, Date.now(), timeoutMs)),
    metadata: (host) => cached(`metadata\n${host}`, () => fetchMetadataToken(host, timeoutMs)),
  };
}

const METADATA_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';

async function fetchMetadataToken(
  host: string,
  timeoutMs: number,
): Promise<{ token: string; expiresInS: number }> {
  const url = `http://${host}${METADATA_PATH}`;
  let status: number;
  let text: string;
  try {
    // The whole of undici only for this rare call (see upstream/undici-pool.ts).
    const { request } = await import('undici');
    const res = await request(url, {
      method: 'GET',
      headers: { 'metadata-flavor': 'Google' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (e) {
    throw new GatewayError(
      'upstream_unreachable',
      `GCE metadata server ${host} unreachable: ${(e as Error).message}`,
    );
  }
  return tokenFrom(status, text, `the GCE metadata server ${host}`);
}

/** The RS256 JWT the grant exchanges: issuer the account, audience its token URI, one hour. */
export function signedAssertion(sa: ServiceAccount, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64url(
    JSON.stringify({
      iss: sa.clientEmail,
      scope: CLOUD_PLATFORM_SCOPE,
      aud: sa.tokenUri,
      iat,
      exp: iat + 3600,
    }),
  );
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${claims}`);
  let sig: string;
  try {
    sig = signer.sign(sa.privateKey).toString('base64url');
  } catch {
    throw new GatewayError(
      'auth_failed',
      `the private key of ${sa.clientEmail} cannot sign (not a PEM RSA key?)`,
    );
  }
  return `${header}.${claims}.${sig}`;
}

async function fetchToken(
  sa: ServiceAccount,
  nowMs: number,
  timeoutMs: number,
): Promise<{ token: string; expiresInS: number }> {
  const form = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: signedAssertion(sa, nowMs),
  }).toString();
  let status: number;
  let text: string;
  try {
    const { request } = await import('undici');
    const res = await request(sa.tokenUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (e) {
    throw new GatewayError(
      'upstream_unreachable',
      `token endpoint ${sa.tokenUri} unreachable: ${(e as Error).message}`,
    );
  }
  return tokenFrom(status, text, `token endpoint refused the service account ${sa.clientEmail}`);
}

/** An OAuth token answer, or an error led by `refused` and the endpoint's own reason. */
function tokenFrom(status: number, text: string, refused: string): { token: string; expiresInS: number } {
  let j: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
  try {
    j = JSON.parse(text);
  } catch {
    // reported below
  }
  if (status !== 200 || typeof j.access_token !== 'string') {
    const why =
      typeof j.error_description === 'string'
        ? j.error_description
        : typeof j.error === 'string'
          ? j.error
          : `HTTP ${status}`;
    throw new GatewayError(status >= 500 ? 'upstream_error' : 'auth_failed', `${refused}: ${why}`, {
      status: status >= 500 ? 502 : 401,
    });
  }
  const expiresInS = typeof j.expires_in === 'number' && j.expires_in > 0 ? j.expires_in : 3600;
  return { token: j.access_token, expiresInS };
}

function b64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}
