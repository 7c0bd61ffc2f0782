import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// What `npm run build` bundles (scripts/bundle-daemon.mjs), read from its output in dist/daemon/:
// the config schema's zod is inside the chunks every start loads (loading the package's own files
// took about 100 ms of each start), while the MCP tools import the package, the copy the MCP SDK
// builds their schemas with.

const DIR = new URL('../../../dist/daemon/', import.meta.url).pathname;
const chunks = new Map(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.js'))
    .map((f) => [f, readFileSync(join(DIR, f), 'utf8')]),
);

/** The specifiers a chunk imports statically (`import … from "x"`, `import "x"`), not `import("x")`. */
function staticImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^import\s+(?:[^;'"]*?\sfrom\s*)?"([^"]+)";?\s*$/gm)) out.push(m[1]!);
  return out;
}

/** Every chunk an entry loads before it runs: its static imports, transitively. */
function loadedAtStart(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (f: string): void => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const spec of staticImports(chunks.get(f) ?? '')) if (spec.startsWith('./')) visit(spec.slice(2));
  };
  visit(entry);
  return seen;
}

const importsZod = (f: string): boolean =>
  staticImports(chunks.get(f)!).some((s) => s === 'zod' || s.startsWith('zod/'));

describe('the bundle in dist/daemon', () => {
  it('finds the static imports of a chunk and only those', () => {
    expect(
      staticImports(
        'import { a as b } from "./x.js";\nimport "./y.js";\nconst m = await import("./z.js");\n',
      ),
    ).toEqual(['./x.js', './y.js']);
  });

  it('the daemon loads the config schema with zod bundled, no zod package at start', () => {
    const start = loadedAtStart('daemon-main.js');
    expect([...start].filter((f) => chunks.get(f)!.includes('strictObject('))).not.toEqual([]);
    expect([...start].filter(importsZod)).toEqual([]);
  });

  it('whatever loads the config schema (CLI commands too) loads no zod package with it', () => {
    const schema = [...chunks.keys()].filter((f) => chunks.get(f)!.includes('strictObject('));
    expect(schema).not.toEqual([]);
    for (const f of schema) expect([...loadedAtStart(f)].filter(importsZod)).toEqual([]);
    const cliConfig = [...chunks.keys()].filter((f) => loadedAtStart(f).has(schema[0]!) && /^start-/.test(f));
    expect(cliConfig).not.toEqual([]);
  });

  it('the MCP tools import the zod package, the one the MCP SDK uses', () => {
    const withZod = [...chunks.keys()].filter(importsZod);
    expect(withZod).not.toEqual([]);
    for (const f of withZod) expect(chunks.get(f)).toContain('registerTool(');
  });

  it('holds no doc comments: V8 keeps the source of every loaded chunk for the life of the process', () => {
    // Doc comments were about 85 KB of the main chunk; license comments stay.
    const withDocs = [...chunks.keys()].filter((f) => /^\s*\/\*\*/m.test(chunks.get(f)!));
    expect(withDocs).toEqual([]);
    expect([...chunks.values()].some((t) => t.includes('/*! chokidar'))).toBe(true);
  });
});
