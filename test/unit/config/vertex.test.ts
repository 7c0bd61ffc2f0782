import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load.js';

/** `type: vertex_ai` providers and the `vertex_*` keys, and the gemini provider's key variables. */

const dir = mkdtempSync(join(tmpdir(), 'agentbox-vertex-config-'));
const keyFile = join(dir, 'sa.json');
writeFileSync(
  keyFile,
  JSON.stringify({
    type: 'service_account',
    project_id: 'from-file',
    client_email: 'sa@from-file.iam.gserviceaccount.com',
    private_key: '-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n',
    token_uri: 'https://oauth2.googleapis.com/token',
  }),
);

const load = (providers: string, env: Record<string, string> = {}) =>
  loadConfigText(`litellm:\n  providers:\n${providers}`, { env });

describe('vertex_ai providers', () => {
  it('project from the credentials file, location default us-central1, regional api_base', () => {
    const r = load(`    vertex_ai: { vertex_credentials: ${keyFile} }\n`);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const p = r.loaded.config.providers.vertex_ai;
    expect(p).toMatchObject({
      type: 'vertex_ai',
      apiBase: 'https://us-central1-aiplatform.googleapis.com/v1',
      keyState: 'set',
      vertex: {
        project: 'from-file',
        location: 'us-central1',
        credentials: { clientEmail: 'sa@from-file.iam.gserviceaccount.com' },
      },
    });
  });

  it('GOOGLE_APPLICATION_CREDENTIALS, vertex_project winning over the file, and the global endpoint', () => {
    const r = load('    v: { type: vertex_ai, vertex_project: mine, vertex_location: global }\n', {
      GOOGLE_APPLICATION_CREDENTIALS: keyFile,
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.loaded.config.providers.v).toMatchObject({
      apiBase: 'https://aiplatform.googleapis.com/v1',
      vertex: { project: 'mine', location: 'global' },
    });
  });

  it('without credentials or a token the provider is skipped with a reason; api_key is a static token', () => {
    const r = load(
      '    v: { type: vertex_ai, vertex_project: p }\n    s: { type: vertex_ai, vertex_project: p, api_key: ya29.x }\n',
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.loaded.config.providers.v).toMatchObject({
      keyState: 'missing',
      missingEnv: ['GOOGLE_APPLICATION_CREDENTIALS'],
    });
    expect(r.loaded.warnings.map((w) => w.message).join('\n')).toMatch(
      /no credentials; deployments on "v" are skipped/,
    );
    expect(r.loaded.config.providers.s).toMatchObject({ keyState: 'set', apiKey: 'ya29.x' });
  });

  it('errors name the key: no project, an unreadable or wrong credentials file, vertex_* on another type', () => {
    const wrong = join(dir, 'user.json');
    writeFileSync(wrong, JSON.stringify({ type: 'authorized_user', client_id: 'x' }));
    const r = load(
      [
        '    a: { type: vertex_ai }',
        `    b: { type: vertex_ai, vertex_credentials: ${join(dir, 'missing.json')} }`,
        `    c: { type: vertex_ai, vertex_credentials: ${wrong} }`,
        '    d: { type: vertex_ai, vertex_project: p, vertex_location: "US Central" }',
        '    gemini: { api_key: k, vertex_project: p }',
        '',
      ].join('\n'),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.errors.map((e) => `${e.path}: ${e.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^litellm\.providers\.a\.vertex_project: required for vertex_ai providers/),
        expect.stringMatching(
          /^litellm\.providers\.b\.vertex_credentials: cannot read the credentials file .*missing\.json: ENOENT/,
        ),
        expect.stringMatching(
          /^litellm\.providers\.c\.vertex_credentials: credentials of type "authorized_user" are not supported/,
        ),
        'litellm.providers.d.vertex_location: "US Central" is not a Google Cloud location',
        'litellm.providers.gemini.vertex_project: only vertex_ai providers take this key',
      ]),
    );
    expect(lines.join('\n')).not.toContain('MIIfake');
  });
});

describe('gemini providers', () => {
  it('GEMINI_API_KEY, else GOOGLE_API_KEY; both named when neither is set', () => {
    const a = load('    gemini: {}\n', { GOOGLE_API_KEY: 'g' });
    if (!a.ok) throw new Error('config');
    expect(a.loaded.config.providers.gemini).toMatchObject({ type: 'gemini', apiKey: 'g', keyState: 'set' });
    const b = load('    gemini: {}\n', {});
    if (!b.ok) throw new Error('config');
    expect(b.loaded.config.providers.gemini).toMatchObject({
      keyState: 'missing',
      missingEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
    });
  });
});
