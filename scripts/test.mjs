#!/usr/bin/env node
// `npm test`: install the Debian packages some tests need (when root), build, run vitest with its
// JSON reporter, and end with a plain `N passed, M failed[, K skipped]` line.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const report = join(root, '.vitest-report.json');
const args = process.argv.slice(2);

ensureDebianPackages();

const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

rmSync(report, { force: true });
const run = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...args,
  ],
  { cwd: root, stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = (r.numFailedTests ?? 0) + (r.numRuntimeErrorTests ?? 0);
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A test file that failed to load has no tests counted: count it as a failure.
  for (const f of r.testResults ?? [])
    if (f.status === 'failed' && (f.assertionResults ?? []).length === 0) failed++;
} catch {
  failed = Math.max(failed, 1);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);

/**
 * test/apt-packages.txt names Debian packages and the tests that use them. Missing ones are
 * installed when this runs as root with apt-get; otherwise they are named here, and the tests
 * that need them skip (and are counted as skipped).
 */
function ensureDebianPackages() {
  const wanted = readFileSync(join(root, 'test/apt-packages.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((l) => {
      const [name, ...users] = l.split(/\s+/);
      return { name, users };
    });
  const isInstalled = (name) =>
    spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' }).stdout?.includes(
      'install ok installed',
    ) ?? false;
  let missing = wanted.filter((p) => !isInstalled(p.name));
  if (missing.length === 0) return;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (process.getuid?.() === 0 && hasApt) {
    const names = missing.map((p) => p.name);
    console.error(`npm test: installing Debian packages the tests need: ${names.join(', ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const opts = { stdio: ['ignore', 'ignore', 'inherit'], env, timeout: 15 * 60_000 };
    spawnSync('apt-get', ['update', '-qq'], opts);
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], opts);
    missing = missing.filter((p) => !isInstalled(p.name));
  }
  for (const p of missing)
    console.error(
      `npm test: Debian package ${p.name} is not installed (apt-get install ${p.name}); skipping what needs it: ${p.users.join(', ') || 'see test/apt-packages.txt'}`,
    );
}
