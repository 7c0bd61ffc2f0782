#!/usr/bin/env node
// `prepare` (run by npm ci / npm install in a clone, and by npm pack): build dist/ with TypeScript,
// then bundle the detached daemon.
// Without the devDependencies (npm ci --omit=dev) there is no compiler: say what to do instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  console.error(
    'agentbox: cannot build dist/ without the devDependencies (TypeScript is not installed).\n' +
      'For a lean install, build a package once where the devDependencies are installed and install that:\n' +
      '  npm ci && npm pack            # writes agentbox-<version>.tgz with dist/ built\n' +
      '  npm install -g ./agentbox-<version>.tgz   # installs only the runtime dependencies',
  );
  process.exit(1);
}
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
// The detached daemon's bundle (scripts/bundle-daemon.mjs), as `npm run build` makes it.
const b = spawnSync(process.execPath, [join(root, 'scripts', 'bundle-daemon.mjs')], { stdio: 'inherit' });
process.exit(b.status ?? 1);
