#!/usr/bin/env node
// `npm run gen:schema`: writes config.schema.json from the zod schema in src/config/schema.ts.
// Reads the compiled module, so it builds first (`npm run build` = tsc). tsc emits even when some
// other file has a type error, so a failed build only warns as long as the module is there.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
const compiled = join(root, 'dist/config/schema.js');
if (build.status !== 0) {
  if (!existsSync(compiled)) {
    console.error('gen:schema: the build failed');
    process.exit(1);
  }
  console.error('gen:schema: the build reported errors; using the emitted dist/config/schema.js');
}
const { configJsonSchemaText } = await import(compiled);
writeFileSync(join(root, 'config.schema.json'), configJsonSchemaText());
console.error('gen:schema: wrote config.schema.json');
