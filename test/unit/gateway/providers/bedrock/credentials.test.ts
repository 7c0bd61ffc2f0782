import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsSource } from '../../../../../src/config/types.js';
import {
  createAwsCredentials,
  EXPIRY_MARGIN_MS,
  FILE_REFRESH_MS,
} from '../../../../../src/gateway/providers/bedrock/credentials.js';
import { signCall } from '../../../../../src/gateway/providers/bedrock/sign.js';
import { verifySigV4 } from '../../../../helpers/aws-wire.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function files(creds: string, config = ''): AwsSource & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'agentbox-aws-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'credentials'), creds);
  writeFileSync(join(dir, 'config'), config);
  return {
    dir,
    env: {},
    profile: 'default',
    credentialsFile: join(dir, 'credentials'),
    configFile: join(dir, 'config'),
  };
}

describe('Bedrock credentials', () => {
  it('reads the named profile from the credentials file, then the config file', async () => {
    const src = files(
      '[default]\naws_access_key_id = AK_DEF\naws_secret_access_key = S_DEF\n',
      '[profile dev]\naws_access_key_id = AK_DEV\naws_secret_access_key = S_DEV\naws_session_token = TOK\n',
    );
    const resolve = createAwsCredentials();
    expect(await resolve(src)).toEqual({
      kind: 'sigv4',
      keys: { accessKeyId: 'AK_DEF', secretAccessKey: 'S_DEF' },
    });
    expect(await resolve({ ...src, profile: 'dev' })).toEqual({
      kind: 'sigv4',
      keys: { accessKeyId: 'AK_DEV', secretAccessKey: 'S_DEV', sessionToken: 'TOK' },
    });
  });

  it('environment keys win over files; a Bedrock API key wins over both', async () => {
    const src = files('[default]\naws_access_key_id = AK_F\naws_secret_access_key = S_F\n');
    const resolve = createAwsCredentials();
    const env = { AWS_ACCESS_KEY_ID: 'AK_E', AWS_SECRET_ACCESS_KEY: 'S_E' };
    expect(await resolve({ ...src, env })).toMatchObject({ keys: { accessKeyId: 'AK_E' } });
    expect(await resolve({ ...src, env: { ...env, AWS_BEARER_TOKEN_BEDROCK: 'br' } })).toEqual({
      kind: 'bearer',
      token: 'br',
    });
    expect(await resolve(src, 'from-api-key')).toEqual({ kind: 'bearer', token: 'from-api-key' });
  });

  it('re-reads file credentials after the refresh interval, and expiring ones before they expire', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const expires = new Date(now + 10 * 60_000).toISOString();
    const src = files(
      `[default]\naws_access_key_id = AK_1\naws_secret_access_key = S_1\naws_expiration = ${expires}\n`,
    );
    const resolve = createAwsCredentials(() => now);
    expect(await resolve(src)).toMatchObject({ keys: { accessKeyId: 'AK_1' } });
    writeFileSync(src.credentialsFile, '[default]\naws_access_key_id = AK_2\naws_secret_access_key = S_2\n');
    now += 60_000; // still well before expiry - margin: the cached keys are used
    expect(await resolve(src)).toMatchObject({ keys: { accessKeyId: 'AK_1' } });
    now = Date.parse(expires) - EXPIRY_MARGIN_MS + 1; // inside the margin: read again
    expect(await resolve(src)).toMatchObject({ keys: { accessKeyId: 'AK_2' } });
    writeFileSync(src.credentialsFile, '[default]\naws_access_key_id = AK_3\naws_secret_access_key = S_3\n');
    now += FILE_REFRESH_MS + 1;
    expect(await resolve(src)).toMatchObject({ keys: { accessKeyId: 'AK_3' } });
  });

  it('says where it looked when there are none', async () => {
    const src = files('');
    await expect(createAwsCredentials()(src)).rejects.toThrow(/AWS_ACCESS_KEY_ID.*profile "default"/);
  });
});

describe('SigV4 signing', () => {
  it('signs temporary keys with their session token, checked by the independent verifier', async () => {
    const body = '{"messages":[]}';
    const url = new URL(
      'https://bedrock-runtime.eu-central-1.amazonaws.com/model/eu.anthropic.claude-3-haiku%3A0/invoke?x=1',
    );
    const signed = await signCall(
      { url, headers: { 'content-type': 'application/json', accept: 'application/json' }, body },
      'eu-central-1',
      { accessKeyId: 'AKTEMP', secretAccessKey: 'SECRET', sessionToken: 'SESSION' },
    );
    expect(signed.headers['x-amz-security-token']).toBe('SESSION');
    const check = verifySigV4(
      'POST',
      url.pathname + url.search,
      { ...signed.headers, host: url.host },
      Buffer.from(body),
      { AKTEMP: 'SECRET' },
    );
    expect(check).toEqual({ ok: true, accessKeyId: 'AKTEMP', region: 'eu-central-1', service: 'bedrock' });
    const tampered = verifySigV4(
      'POST',
      url.pathname,
      { ...signed.headers, host: url.host },
      Buffer.from('{}'),
      { AKTEMP: 'SECRET' },
    );
    expect(tampered.ok).toBe(false);
  });
});
