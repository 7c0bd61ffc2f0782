import { createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Google OAuth token endpoint for the service-account (signed JWT) grant. It checks what
 * Google checks: the grant type, an RS256 signature made with the account's key, and the claims
 * (issuer the account, audience this endpoint, the cloud-platform scope, a one-hour lifetime
 * around now). Good assertions get `ya29.fake-<n>` tokens; `issued` lists them.
 */
export interface FakeTokenEndpoint {
  url: string;
  /** A service-account key file whose token_uri is this endpoint. */
  keyFile: Record<string, string>;
  issued: string[];
  /** Assertions seen, valid or not. */
  requests: number;
  /** Seconds each token lives (default 3600). */
  expiresIn: number;
  /** Milliseconds before answering (to let concurrent callers pile up). */
  delayMs: number;
  /** Refuse every grant with this OAuth error (e.g. `invalid_grant`). */
  refuse?: string;
  errors: string[];
  close(): Promise<void>;
}

export async function startFakeTokenEndpoint(
  email = 'agentbox-test@my-proj.iam.gserviceaccount.com',
): Promise<FakeTokenEndpoint> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const pub = publicKey;
  const self: FakeTokenEndpoint = {
    url: '',
    keyFile: {},
    issued: [],
    requests: 0,
    expiresIn: 3600,
    delayMs: 0,
    errors: [],
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      self.requests++;
      const reply = (status: number, o: unknown): void => {
        setTimeout(() => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(o));
        }, self.delayMs);
      };
      const form = new URLSearchParams(body);
      const problem = check(form, pub, email, self.url);
      if (problem) {
        self.errors.push(problem);
        return reply(400, { error: 'invalid_grant', error_description: problem });
      }
      if (self.refuse) return reply(400, { error: self.refuse, error_description: 'Invalid JWT Signature.' });
      const token = `ya29.fake-${self.issued.length + 1}`;
      self.issued.push(token);
      reply(200, { access_token: token, expires_in: self.expiresIn, token_type: 'Bearer' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  self.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  self.keyFile = {
    type: 'service_account',
    project_id: 'my-proj',
    private_key_id: 'k1',
    private_key: pem,
    client_email: email,
    token_uri: self.url,
  };
  self.close = () => new Promise<void>((r) => server.close(() => r()));
  return self;
}

function check(form: URLSearchParams, pub: KeyObject, email: string, url: string): string | undefined {
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return 'wrong grant_type';
  const parts = (form.get('assertion') ?? '').split('.');
  if (parts.length !== 3) return 'assertion is not a JWT';
  const [h, c, sig] = parts;
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  if (header.alg !== 'RS256' || header.typ !== 'JWT') return `bad JWT header ${JSON.stringify(header)}`;
  const v = createVerify('RSA-SHA256');
  v.update(`${h}.${c}`);
  if (!v.verify(pub, Buffer.from(sig, 'base64url'))) return 'Invalid JWT Signature.';
  const claims = JSON.parse(Buffer.from(c, 'base64url').toString());
  const now = Math.floor(Date.now() / 1000);
  if (claims.iss !== email) return `iss ${claims.iss}`;
  if (claims.aud !== url) return `aud ${claims.aud}`;
  if (claims.scope !== 'https://www.googleapis.com/auth/cloud-platform') return `scope ${claims.scope}`;
  if (Math.abs(claims.iat - now) > 60) return 'iat not now';
  if (claims.exp - claims.iat !== 3600) return 'lifetime is not one hour';
  return undefined;
}
