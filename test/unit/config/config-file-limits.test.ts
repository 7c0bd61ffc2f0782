import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/format-issues.js';
import { loadConfig, loadConfigText, type LoadResult } from '../../../src/config/load.js';
import { MAX_CONFIG_BYTES } from '../../../src/config/read-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentbox-cfg-limits-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const GOOD =
  'litellm:\n  providers:\n    openai: { api_key: k }\n  models:\n    default: [{ provider: openai, model: m }]\n';
const errorsOf = (r: LoadResult): string => (r.ok ? '' : r.errors.map(formatIssue).join('\n'));

/** Resolves with the load, or rejects after `ms` (a read that blocks would never settle). */
const bounded = (p: Promise<LoadResult>, ms = 4_000): Promise<LoadResult> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`load did not settle in ${ms} ms`)), ms),
    ),
  ]);

describe('the config file', () => {
  it('a FIFO as the config is refused at once instead of wedging the reader', async () => {
    const fifo = join(dir, 'config-fifo.yml');
    execFileSync('mkfifo', [fifo]);
    const r = await bounded(loadConfig({ path: fifo, env: {} }));
    expect(r.ok).toBe(false);
    expect(errorsOf(r)).toMatch(/not a regular file \(a FIFO\)/);
  });

  it('a FIFO named .env beside the config is refused too', async () => {
    const sub = join(dir, 'with-env-fifo');
    execFileSync('mkdir', [sub]);
    await writeFile(join(sub, 'config.yml'), GOOD);
    execFileSync('mkfifo', [join(sub, '.env')]);
    const r = await bounded(loadConfig({ path: join(sub, 'config.yml'), env: {} }));
    expect(r.ok).toBe(false);
    expect(errorsOf(r)).toMatch(/\.env: .*not a regular file/);
  });

  it('a file over the size cap is refused without being parsed', async () => {
    const big = join(dir, 'big.yml');
    await writeFile(big, GOOD + `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    const r = await bounded(loadConfig({ path: big, env: {} }));
    expect(r.ok).toBe(false);
    expect(errorsOf(r)).toMatch(/larger than 4194304 bytes/);
  });

  it('a directory is still reported as a directory, and a regular file still loads', async () => {
    const r = await loadConfig({ path: dir, env: {} });
    expect(errorsOf(r)).toMatch(/is a directory/);
    const ok = join(dir, 'ok.yml');
    await writeFile(ok, GOOD);
    expect((await loadConfig({ path: ok, env: {} })).ok).toBe(true);
  });
});

describe('YAML alias fan-out', () => {
  it('a 10 KB file whose aliases expand to a million nodes is refused before it is expanded', () => {
    const list = Array.from({ length: 1000 }, (_, i) => `v${i}`).join(', ');
    const text = `${GOOD}x:\n  a: &a [${list}]\n  b: [${Array(999).fill('*a').join(', ')}]\n`;
    expect(text.length).toBeLessThan(12_000);
    const r = loadConfigText(text, { path: 'c.yml', env: {} });
    expect(r.ok).toBe(false);
    expect(errorsOf(r)).toMatch(/c\.yml: YAML: the aliases .* expand to more than 100000 nodes/);
  });

  it('ordinary anchors and merge keys still work', () => {
    const text =
      'litellm:\n  providers:\n    openai: { api_key: k }\n  models:\n    default: &chain [{ provider: openai, model: m }]\n    other: *chain\n';
    const r = loadConfigText(text, { env: {} });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.loaded.config.models.map((m) => m.name)).toEqual(['default', 'other']);
  });
});
