import { homedir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { CLOUD_KEY_TYPE } from './cloud-schema.js';
import type { Env } from './env.js';
import { formatPath } from './format-issues.js';
import type { RawProvider } from './schema.js';
import type { ConfigIssue, KeyState, ProviderConfig, ProviderType } from './types.js';

/** What the cloud-specific keys add to one provider, decided at load. */
export interface CloudSettings {
  /** The endpoint when the file gives no api_base (Bedrock's regional one). */
  defaultApiBase?: string;
  /** The key state when it does not follow from api_key (client auth, AWS credentials). */
  keyState?: KeyState;
  missingEnv?: string[];
  /** True when no configured key is used at all (auth: client): the conventional variable is not read. */
  noKey?: boolean;
  fields: Partial<ProviderConfig>;
}

export const AZURE_DEFAULT_API_VERSION = '2024-10-21';
const AWS_VARS = /^AWS_/;

/**
 * Check the type-specific keys of one provider (a key on a type that would ignore it is an error)
 * and work out what they imply. Returns undefined when an error was pushed.
 */
export function cloudSettings(
  name: string,
  type: ProviderType,
  raw: RawProvider,
  env: Env,
  errors: ConfigIssue[],
): CloudSettings | undefined {
  const at = (key: string) => formatPath(['litellm', 'providers', name, key]);
  let bad = false;
  for (const [key, owner] of Object.entries(CLOUD_KEY_TYPE)) {
    if (raw[key as keyof RawProvider] === undefined || owner === type) continue;
    errors.push({ path: at(key), message: `only ${owner} providers take ${key} (this one is ${type})` });
    bad = true;
  }
  if (bad) return undefined;
  if (type === 'anthropic' && raw.auth === 'client') {
    if (raw.api_key !== undefined) {
      errors.push({
        path: at('api_key'),
        message: "auth: client forwards the client's own credentials; remove api_key or set auth: key",
      });
      return undefined;
    }
    return { keyState: 'not_needed', noKey: true, fields: { auth: 'client' } };
  }
  if (type === 'bedrock') return bedrockSettings(name, raw, env);
  if (type === 'azure') {
    const adToken = raw.azure_ad_token?.trim() || undefined;
    const fields: Partial<ProviderConfig> = {
      apiVersion: raw.api_version ?? env.AZURE_API_VERSION ?? AZURE_DEFAULT_API_VERSION,
    };
    if (adToken) fields.adToken = adToken;
    return { fields, ...(adToken ? { keyState: 'set' as const } : {}) };
  }
  return { fields: {} };
}

function bedrockSettings(name: string, raw: RawProvider, env: Env): CloudSettings {
  const awsEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (AWS_VARS.test(k) && v) awsEnv[k] = v;
  const region = raw.region ?? awsEnv.AWS_REGION ?? awsEnv.AWS_DEFAULT_REGION;
  if (!region) {
    // Like a missing key: the file stays valid, and the deployments on this provider are reported
    // and skipped until a region is given (`region:` or AWS_REGION).
    return {
      defaultApiBase: 'https://bedrock-runtime.{AWS_REGION}.amazonaws.com',
      keyState: 'missing',
      missingEnv: [`AWS_REGION (or region: on provider "${name}")`],
      noKey: true,
      fields: {},
    };
  }
  const home = env.HOME || homedir();
  const aws = {
    env: awsEnv,
    profile: raw.aws_profile ?? awsEnv.AWS_PROFILE ?? 'default',
    credentialsFile: awsEnv.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'),
    configFile: awsEnv.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'),
  };
  const fromEnv =
    !!awsEnv.AWS_BEARER_TOKEN_BEDROCK || (!!awsEnv.AWS_ACCESS_KEY_ID && !!awsEnv.AWS_SECRET_ACCESS_KEY);
  const fromFiles = existsSync(aws.credentialsFile) || existsSync(aws.configFile);
  const out: CloudSettings = {
    defaultApiBase: `https://bedrock-runtime.${region}.amazonaws.com`,
    keyState: fromEnv || fromFiles ? 'set' : 'missing',
    noKey: true,
    fields: { region, aws },
  };
  if (out.keyState === 'missing')
    out.missingEnv = [
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_BEARER_TOKEN_BEDROCK or ~/.aws/credentials',
    ];
  return out;
}
