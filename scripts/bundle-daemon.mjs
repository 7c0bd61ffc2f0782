#!/usr/bin/env node
// Part of `npm run build`, after tsc: bundles the CLI (dist/cli/main.js, which bin/agentbox.js
// runs, `start --foreground` included) and the detached daemon that `agentbox litellm start`
// spawns (dist/gateway/daemon-main.js) into dist/daemon/, with shared chunks. node: built-ins and
// most npm packages stay imports; modules loaded lazily stay lazy (their own chunks). A few modules
// to resolve, read and link instead of some 300 takes about a third off the CPU time to ready.
// Names and code are kept as written (no minifying), so stack traces in the log still name
// agentbox's functions; doc comments are left out (V8 holds each loaded chunk's source for the life
// of the process: about 85 KB of the main chunk, 0.5 MB of RSS at idle), license comments stay.
// Tests that import modules run the unbundled dist/.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { runInNewContext } from 'node:vm';
import { build } from 'rolldown';
import { parseAst } from 'rolldown/parseAst';

const BUNDLED = ['commander', 'yaml', 'chokidar', 'readdirp'];
const MCP_TOOLS = /[\\/]dist[\\/]mcp[\\/]/;
const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'daemon');
rmSync(out, { recursive: true, force: true });
await build({
  input: {
    'daemon-main': join(root, 'dist', 'gateway', 'daemon-main.js'),
    'cli-main': join(root, 'dist', 'cli', 'main.js'),
  },
  platform: 'node',
  logLevel: 'warn',
  // agentbox's own files (relative imports) go into the bundle, and the pure-JS packages every
  // start loads; other packages stay imports (pino: its transports load files by path). zod is
  // bundled for the config schema, which every start and every CLI command builds (loading zod's
  // 95 files took about 100 ms of each start); the MCP tools import the package itself,
  // the copy the MCP SDK uses for their schemas.
  external: (id, importer) =>
    !id.startsWith('.') &&
    !id.startsWith('/') &&
    !BUNDLED.some((p) => id === p || id.startsWith(`${p}/`)) &&
    !(id === 'zod' && !MCP_TOOLS.test(importer ?? '')),
  output: {
    dir: out,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    comments: { legal: true, annotation: false, jsdoc: false },
  },
});

// A source with any non-ASCII character (a dash in a comment, a "…" in a message) is held by V8 as
// two bytes per character for the life of the process: written with \u escapes, which mean the
// same in comments, strings, templates, regular expressions and identifiers (no chunk uses
// String.raw), each chunk is held at one byte per character (about 1 MB less at idle).
const escape = (ch) =>
  Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join(
    '',
  );
for (const f of readdirSync(out)) {
  if (!f.endsWith('.js')) continue;
  const file = join(out, f);
  const text = readFileSync(file, 'utf8');
  if (/String\.raw/.test(text))
    throw new Error(`${file} uses String.raw: escaping its non-ASCII text would change it`);
  const ascii = text.replace(/[\u0080-\u{10ffff}]/gu, escape);
  if (ascii !== text) writeFileSync(file, ascii);
}

// The price catalogue (src/gateway/usage/price-catalog.ts loads dist/daemon/price-catalog.cjs when
// it is there): @pydantic/genai-prices' own CommonJS build, with its data (one object literal of
// some 450 KB) written as JSON.parse('...') of the same data. Loading the package costs about
// 20 MB of RSS and 40 ms, this copy about 15 MB and 26 ms: V8 parses JSON text into objects
// without the compiler's work for a literal that size (the rest is the package's own start-up).
// The code is the package's, unchanged; the data is checked to be the same value before the file
// is written, or the build fails.
{
  const file = createRequire(join(root, 'package.json')).resolve('@pydantic/genai-prices');
  const text = readFileSync(file, 'utf8');
  const literals = parseAst(text)
    .body.filter((n) => n.type === 'VariableDeclaration')
    .flatMap((n) => n.declarations)
    .filter((d) => d.init?.type === 'ArrayExpression' || d.init?.type === 'ObjectExpression')
    .sort((a, b) => b.init.end - b.init.start - (a.init.end - a.init.start));
  const data = literals[0]?.init;
  if (!data || data.end - data.start < 100_000)
    throw new Error(
      `${file}: no price data literal found (the package's layout changed); update scripts/bundle-daemon.mjs`,
    );
  const literal = text.slice(data.start, data.end);
  const json = JSON.stringify(runInNewContext(`(${literal})`));
  // A single-quoted literal: JSON text has few quotes of that kind to escape.
  const quoted = `'${json.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  // Both values from one context, so that their prototypes compare equal.
  const [asWritten, asParsed] = runInNewContext(`[(${literal}), JSON.parse(${quoted})]`);
  if (!isDeepStrictEqual(asWritten, asParsed))
    throw new Error(`${file}: the price data is not plain JSON; update scripts/bundle-daemon.mjs`);
  const slim = `${text.slice(0, data.start)}JSON.parse(${quoted})${text.slice(data.end)}`;
  writeFileSync(join(out, 'price-catalog.cjs'), slim.replace(/[\u0080-\u{10ffff}]/gu, escape));
}
