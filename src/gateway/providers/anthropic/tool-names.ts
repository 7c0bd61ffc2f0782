import type { CanonicalRequest, CanonicalTool, ToolKind } from '../../canonical.js';

/**
 * Tool names on the Anthropic wire. Anthropic has no namespaces and allows `^[a-zA-Z0-9_-]{1,64}$`,
 * so a namespaced tool (Codex MCP tools: namespace `mcp__server`) travels as `<namespace>__<name>`,
 * other characters become `_`, and over-long names are shortened with a hash. The same table,
 * built from the request's tools, turns the names in the answer back into name + namespace + kind.
 */

/** What the response side needs from the request: its tool list. */
export type ToolContext = Pick<CanonicalRequest, 'tools'>;

export interface ToolRef {
  name: string;
  namespace?: string;
  kind: ToolKind;
}

export interface ToolNames {
  /** The wire name for a tool (declared or not). */
  wire(name: string, namespace?: string): string;
  /** The declared tool behind a wire name; undeclared names come back as function tools. */
  lookup(wireName: string): ToolRef;
  /** Whether the request declared any tool. */
  readonly size: number;
}

const MAX = 64;

export function createToolNames(tools: CanonicalTool[] | undefined): ToolNames {
  const byKey = new Map<string, string>();
  const byWire = new Map<string, ToolRef>();
  for (const t of tools ?? []) {
    const key = keyOf(t.name, t.namespace);
    if (byKey.has(key)) continue;
    let wire = wireName(t.name, t.namespace);
    if (byWire.has(wire)) wire = hashed(wire, key);
    byKey.set(key, wire);
    const ref: ToolRef = { name: t.name, kind: t.kind };
    if (t.namespace !== undefined) ref.namespace = t.namespace;
    byWire.set(wire, ref);
  }
  return {
    size: byWire.size,
    wire: (name, namespace) => byKey.get(keyOf(name, namespace)) ?? wireName(name, namespace),
    lookup: (w) => byWire.get(w) ?? { name: w, kind: 'function' },
  };
}

function keyOf(name: string, namespace: string | undefined): string {
  return namespace === undefined ? name : `${namespace}\u0000${name}`;
}

function wireName(name: string, namespace: string | undefined): string {
  const flat = namespace ? `${namespace}__${name}` : name;
  const clean = flat.replace(/[^a-zA-Z0-9_-]/g, '_') || '_';
  return clean.length <= MAX ? clean : hashed(clean, flat);
}

function hashed(clean: string, seed: string): string {
  return `${clean.slice(0, MAX - 9)}_${fnv1a(seed)}`;
}

/** 32-bit FNV-1a as 8 hex digits: short, stable, no crypto needed for a name suffix. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Anthropic tool_use ids must match `^[a-zA-Z0-9_-]+$`; ids from other providers may not. */
export function wireToolId(id: string): string {
  return /^[a-zA-Z0-9_-]+$/.test(id) ? id : id.replace(/[^a-zA-Z0-9_-]/g, '_') || 'toolu_';
}
