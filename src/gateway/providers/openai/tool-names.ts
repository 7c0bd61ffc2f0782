import { randomUUID } from 'node:crypto';
import type { CanonicalTool, ToolKind } from '../../canonical.js';

/**
 * Chat Completions knows only flat function tools. Namespaced tools (Codex MCP servers) travel as
 * `<namespace>__<name>`, and custom free-text tools (Codex apply_patch) as a function with one
 * string parameter `input`. These helpers map both ways.
 */

export const NAMESPACE_SEPARATOR = '__';

export function flatToolName(name: string, namespace?: string): string {
  return namespace ? `${namespace}${NAMESPACE_SEPARATOR}${name}` : name;
}

export interface ToolRef {
  name: string;
  namespace?: string;
  kind: ToolKind;
}

/** Flat wire name → the request's tool, for tools whose wire name differs or whose kind matters. */
export type ToolLookup = Map<string, ToolRef>;

export function toolLookup(tools: CanonicalTool[] | undefined): ToolLookup | undefined {
  if (!tools || tools.length === 0) return undefined;
  let map: ToolLookup | undefined;
  for (const t of tools) {
    if (!t.namespace && t.kind !== 'custom') continue;
    map ??= new Map();
    map.set(flatToolName(t.name, t.namespace), { name: t.name, namespace: t.namespace, kind: t.kind });
  }
  return map;
}

/** The canonical identity of a wire function name: split back when it names a namespaced/custom tool. */
export function resolveToolName(flat: string, lookup: ToolLookup | undefined): ToolRef {
  return lookup?.get(flat) ?? { name: flat, kind: 'function' };
}

/** JSON Schema of the single parameter a custom tool is declared with over Chat. */
export function customToolParameters(): Record<string, unknown> {
  return {
    type: 'object',
    properties: { input: { type: 'string', description: 'The raw input for this tool.' } },
    required: ['input'],
    additionalProperties: false,
  };
}

export function wrapCustomInput(raw: unknown): string {
  return JSON.stringify({ input: typeof raw === 'string' ? raw : JSON.stringify(raw ?? '') });
}

/** The raw input of a custom tool from its Chat arguments; the arguments themselves when not `{"input": string}`. */
export function unwrapCustomInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { input?: unknown }).input === 'string') {
      return (parsed as { input: string }).input;
    }
  } catch {
    // not JSON: the model wrote the input directly
  }
  return args;
}

/** Parse function-call arguments; unparsable text is kept as the raw string so nothing is lost. */
export function parseToolArguments(args: unknown): unknown {
  if (typeof args !== 'string') return args ?? {};
  if (args.trim().length === 0) return {};
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

export function newToolCallId(): string {
  return `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}
