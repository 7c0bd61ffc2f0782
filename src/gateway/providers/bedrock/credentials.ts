import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import type { AwsSource } from '../../../config/types.js';

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When they stop working, when known. */
  expiration?: Date;
}

export type AwsAuth = { kind: 'bearer'; token: string } | { kind: 'sigv4'; keys: AwsKeys };

/** Shared-file credentials are read again at least this often (a login tool may have renewed them). */
export const FILE_REFRESH_MS = 5 * 60_000;
/** Credentials with an expiry are re-read this long before it. */
export const EXPIRY_MARGIN_MS = 5 * 60_000;

/**
 * Bedrock's credentials, in the AWS SDK's order: a Bedrock API key (the provider's `api_key`, else
 * `AWS_BEARER_TOKEN_BEDROCK`) as a Bearer token; else `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`
 * (+ `AWS_SESSION_TOKEN`, `AWS_CREDENTIAL_EXPIRATION`); else the profile's keys in the shared
 * credentials file, then the config file. Resolved per request from a cache that is dropped when
 * the keys are within EXPIRY_MARGIN_MS of expiring, and for files every FILE_REFRESH_MS.
 */
export function createAwsCredentials(now: () => number = Date.now) {
  const cache = new WeakMap<AwsSource, { auth: AwsAuth; until: number }>();
  return async function resolve(source: AwsSource, apiKey?: string): Promise<AwsAuth> {
    const bearer = apiKey ?? source.env.AWS_BEARER_TOKEN_BEDROCK;
    if (bearer) return { kind: 'bearer', token: bearer };
    const hit = cache.get(source);
    if (hit && hit.until > now()) return hit.auth;
    const { keys, fromFile } = await readKeys(source);
    const until = Math.min(
      fromFile ? now() + FILE_REFRESH_MS : Infinity,
      keys.expiration ? keys.expiration.getTime() - EXPIRY_MARGIN_MS : Infinity,
    );
    const auth: AwsAuth = { kind: 'sigv4', keys };
    cache.set(source, { auth, until });
    return auth;
  };
}

async function readKeys(source: AwsSource): Promise<{ keys: AwsKeys; fromFile: boolean }> {
  const e = source.env;
  if (e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY)
    return {
      keys: withExtras(
        e.AWS_ACCESS_KEY_ID,
        e.AWS_SECRET_ACCESS_KEY,
        e.AWS_SESSION_TOKEN,
        e.AWS_CREDENTIAL_EXPIRATION,
      ),
      fromFile: false,
    };
  const files = await loadSharedConfigFiles({
    filepath: source.credentialsFile,
    configFilepath: source.configFile,
    ignoreCache: true,
  });
  for (const p of [files.credentialsFile[source.profile], files.configFile[source.profile]]) {
    if (p?.aws_access_key_id && p.aws_secret_access_key)
      return {
        keys: withExtras(p.aws_access_key_id, p.aws_secret_access_key, p.aws_session_token, p.aws_expiration),
        fromFile: true,
      };
  }
  throw new Error(
    `no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_BEARER_TOKEN_BEDROCK, or keys for profile "${source.profile}" in ${source.credentialsFile}`,
  );
}

function withExtras(id: string, secret: string, token?: string, expires?: string): AwsKeys {
  const keys: AwsKeys = { accessKeyId: id, secretAccessKey: secret };
  if (token) keys.sessionToken = token;
  if (expires && !Number.isNaN(Date.parse(expires))) keys.expiration = new Date(expires);
  return keys;
}
