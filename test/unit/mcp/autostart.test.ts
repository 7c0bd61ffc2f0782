import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { AGENTBOX_BIN, createAutostart } from '../../../src/mcp/autostart.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentbox-autostart-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in CLI: appends its argv to runs.txt, then exits with $FAKE_EXIT after a short wait. */
function fakeBin(): string {
  const bin = join(dir, 'fake-agentbox.mjs');
  writeFileSync(
    bin,
    `import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(join(dir, 'runs.txt'))}, process.argv.slice(2).join(' ') + '\\n');
console.log('starting the gateway…');
console.error('some diagnostics');
setTimeout(() => { if (process.env.FAKE_EXIT !== '0') console.error('config invalid: 1 problem(s)'); process.exit(Number(process.env.FAKE_EXIT)); }, 150);
`,
  );
  return bin;
}

const runs = (): string[] =>
  existsSync(join(dir, 'runs.txt')) ? readFileSync(join(dir, 'runs.txt'), 'utf8').trim().split('\n') : [];

test('runs `litellm start` once for concurrent callers', async () => {
  const start = createAutostart({ env: { ...process.env, FAKE_EXIT: '0' }, bin: fakeBin() });
  await Promise.all([start(), start(), start()]);
  expect(runs()).toEqual(['litellm start']);
});

test('a failing start rejects with the command and its last output; the next call tries again', async () => {
  const start = createAutostart({ env: { ...process.env, FAKE_EXIT: '2' }, bin: fakeBin() });
  const e = await start().catch((x: Error) => x);
  expect(e).toBeInstanceOf(Error);
  expect((e as Error).message).toMatch(/^`agentbox litellm start` failed \(exit 2\):\n/);
  expect((e as Error).message).toContain('config invalid: 1 problem(s)');
  await start().catch(() => {});
  expect(runs()).toHaveLength(2);
});

test('a start that hangs is killed after the timeout', async () => {
  const bin = join(dir, 'hang.mjs');
  writeFileSync(bin, 'setTimeout(() => {}, 60_000);\n');
  const e = await createAutostart({ env: process.env, bin, timeoutMs: 300 })().catch((x: Error) => x);
  expect((e as Error).message).toMatch(/did not finish within/);
});

test('the default bin is this installation’s bin/agentbox.js', () => {
  expect(AGENTBOX_BIN).toBe(join(new URL('../../..', import.meta.url).pathname, 'bin', 'agentbox.js'));
});
