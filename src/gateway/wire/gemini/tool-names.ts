import { randomUUID } from 'node:crypto';
import type { CanonicalTool, ToolKind } from '../../canonical.js';

/**
 * Gemini declares flat function tools only. Namespaced tools (Codex MCP servers) travel as
 * `<namespace>__<name>`, custom free-text tools (Codex apply_patch) as a function with one string
 * parameter `input`. The lookup maps a wire name back to the tool the client declared.
 */

export interface GeminiToolRef {
  name: string;
  namespace?: string;
  kind: ToolKind;
}

export function geminiToolName(name: string, namespace?: string): string {
  return namespace ? `${namespace}__${name}` : name;
}

export function geminiToolLookup(tools: CanonicalTool[] | undefined): (wire: string) => GeminiToolRef {
  const map = new Map<string, GeminiToolRef>();
  for (const t of tools ?? []) {
    if (t.namespace || t.kind === 'custom')
      map.set(geminiToolName(t.name, t.namespace), { name: t.name, namespace: t.namespace, kind: t.kind });
  }
  return (wire) => map.get(wire) ?? { name: wire, kind: 'function' };
}

export const CUSTOM_TOOL_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The raw input for this tool.' } },
  required: ['input'],
};

/** Gemini function-call args (an object) for a canonical tool input. */
export function argsForGemini(input: unknown, kind: ToolKind | undefined): Record<string, unknown> {
  if (kind === 'custom') return { input: typeof input === 'string' ? input : JSON.stringify(input ?? '') };
  if (input !== null && typeof input === 'object' && !Array.isArray(input))
    return input as Record<string, unknown>;
  if (typeof input === 'string') {
    try {
      const v: unknown = JSON.parse(input);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // not JSON: wrapped below
    }
  }
  return input === undefined ? {} : { input };
}

/** A custom tool's raw input back out of its Gemini args. */
export function customInputFromArgs(args: Record<string, unknown> | undefined): string {
  if (args && typeof args.input === 'string') return args.input;
  return JSON.stringify(args ?? {});
}

/** Gemini often sends function calls without ids; clients that need one get a fresh one. */
export function newGeminiCallId(): string {
  return `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}
