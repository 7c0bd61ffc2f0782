import { describe, expect, it } from 'vitest';
import { loadConfigText, type LoadResult } from '../../../src/config/load.js';

const load = (providers: string, env: Record<string, string | undefined> = {}): LoadResult =>
  loadConfigText(`litellm:\n  providers:\n${providers}`, { env: { HOME: '/nonexistent', ...env } });

function errors(r: LoadResult): string[] {
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

function provider(r: LoadResult, name: string) {
  if (!r.ok) throw new Error(errors(r).join('\n'));
  return r.loaded.config.providers[name];
}

describe('cloud provider keys', () => {
  it('infers bedrock and azure from their names', () => {
    const r = load(
      '    bedrock: { region: eu-west-1 }\n    azure: { api_base: https://x.openai.azure.com }\n',
      {
        AWS_ACCESS_KEY_ID: 'AK',
        AWS_SECRET_ACCESS_KEY: 'S',
        AZURE_API_KEY: 'az',
      },
    );
    expect(provider(r, 'bedrock')).toMatchObject({
      type: 'bedrock',
      region: 'eu-west-1',
      apiBase: 'https://bedrock-runtime.eu-west-1.amazonaws.com',
      keyState: 'set',
    });
    expect(provider(r, 'azure')).toMatchObject({
      type: 'azure',
      apiKey: 'az',
      apiVersion: '2024-10-21',
      keyState: 'set',
    });
  });

  it('refuses a key on a provider type that would ignore it', () => {
    expect(errors(load('    openai: { region: us-east-1, api_version: 2024-10-21 }\n'))).toEqual([
      'litellm.providers.openai.region: only bedrock providers take region (this one is openai)',
      'litellm.providers.openai.api_version: only azure providers take api_version (this one is openai)',
    ]);
    expect(errors(load('    azure: { api_base: https://x, auth: client }\n'))).toEqual([
      'litellm.providers.azure.auth: only anthropic providers take auth (this one is azure)',
    ]);
  });

  it('bedrock needs a region, from the file or AWS_REGION, and api_base overrides the endpoint', () => {
    // Without one the file stays valid; the provider is reported like a missing key and skipped.
    const none = load('    bedrock: {}\n');
    expect(errors(none)).toEqual([]);
    if (!none.ok) throw new Error('invalid');
    expect(none.loaded.config.providers.bedrock).toMatchObject({
      keyState: 'missing',
      missingEnv: ['AWS_REGION (or region: on provider "bedrock")'],
    });
    const r = load(
      '    bedrock: { api_base: "https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com" }\n',
      {
        AWS_REGION: 'us-east-1',
        AWS_PROFILE: 'work',
      },
    );
    expect(provider(r, 'bedrock')).toMatchObject({
      region: 'us-east-1',
      apiBase: 'https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com',
      aws: { profile: 'work', credentialsFile: '/nonexistent/.aws/credentials' },
    });
    expect(errors(load('    bedrock: { region: "US East" }\n'))[0]).toMatch(
      /region: expected an AWS region such as us-east-1/,
    );
  });

  it('bedrock without any credential source is reported missing and skipped', () => {
    const r = load('    bedrock: { region: us-east-1 }\n');
    if (!r.ok) throw new Error('invalid');
    expect(r.loaded.config.providers.bedrock.keyState).toBe('missing');
    expect(r.loaded.warnings.map((w) => w.message)).toContain(
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_BEARER_TOKEN_BEDROCK or ~/.aws/credentials not set; deployments on "bedrock" are skipped',
    );
    expect(
      provider(load('    bedrock: { region: us-east-1 }\n', { AWS_BEARER_TOKEN_BEDROCK: 'b' }), 'bedrock')
        .keyState,
    ).toBe('set');
  });

  it('auth: client needs no key, does not read ANTHROPIC_API_KEY, and refuses a configured one', () => {
    const p = provider(
      load('    anthropic: { auth: client }\n', { ANTHROPIC_API_KEY: 'sk-ant-metered' }),
      'anthropic',
    );
    expect(p).toMatchObject({ auth: 'client', keyState: 'not_needed' });
    expect(p.apiKey).toBeUndefined();
    expect(errors(load('    anthropic: { auth: client, api_key: sk-x }\n'))).toEqual([
      "litellm.providers.anthropic.api_key: auth: client forwards the client's own credentials; remove api_key or set auth: key",
    ]);
  });

  it('azure: api_version from the file or AZURE_API_VERSION, an Entra token counts as a credential', () => {
    const p = provider(
      load('    az: { type: azure, api_base: https://x.openai.azure.com, azure_ad_token: eyJ.t }\n', {
        AZURE_API_VERSION: '2025-04-01-preview',
      }),
      'az',
    );
    expect(p).toMatchObject({ apiVersion: '2025-04-01-preview', adToken: 'eyJ.t', keyState: 'set' });
    expect(errors(load('    azure: { api_base: https://x, api_version: latest }\n'))[0]).toMatch(
      /api_version: expected an Azure api-version such as 2024-10-21/,
    );
    expect(errors(load('    azure: {}\n'))).toEqual([
      'litellm.providers.azure.api_base: required for azure providers',
    ]);
  });

  it('fallbacks.on_content_policy defaults to false', () => {
    const r = loadConfigText('litellm:\n  fallbacks: { on_content_policy: true }\n', { env: {} });
    if (!r.ok) throw new Error('invalid');
    expect(r.loaded.config.fallbacks.onContentPolicy).toBe(true);
    const d = loadConfigText('litellm: {}\n', { env: {} });
    if (!d.ok) throw new Error('invalid');
    expect(d.loaded.config.fallbacks.onContentPolicy).toBe(false);
  });
});
