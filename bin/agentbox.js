#!/usr/bin/env node
// The CLI runs from the bundle `npm run build` makes (dist/daemon/cli-main.js, chunks shared with
// the daemon): a handful of modules to load instead of some 300, which is most of a start's time.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/daemon/cli-main.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(
    `agentbox: ${bundle.pathname} is missing: this build is incomplete; run npm run build (or npm ci)\n`,
  );
  process.exit(1);
}
await import(bundle.href);
