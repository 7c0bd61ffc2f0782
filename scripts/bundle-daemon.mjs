#!/usr/bin/env node
// Part of `npm run build`, after tsc: bundles the detached daemon that `agentbox litellm start`
// spawns (dist/gateway/daemon-main.js and the agentbox modules it imports) into dist/daemon/.
// npm packages and node: built-ins stay imports; modules loaded lazily stay lazy (their own
// chunks). One module to resolve, read and link instead of some 300 takes about a third off the
// daemon's CPU time to ready. Names and code are kept as written (no minifying), so stack traces
// in the log still name agentbox's functions. Everything else (the CLI, tests, the foreground
// gateway) runs the unbundled dist/.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'rolldown';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'daemon');
rmSync(out, { recursive: true, force: true });
await build({
  input: join(root, 'dist', 'gateway', 'daemon-main.js'),
  platform: 'node',
  logLevel: 'warn',
  // Only agentbox's own files (relative imports) go into the bundle.
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  output: { dir: out, format: 'esm', chunkFileNames: '[name]-[hash].js' },
});
