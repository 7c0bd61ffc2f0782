import type { CanonicalTool, ToolChoice } from '../../canonical.js';
import type { AnthropicTool, AnthropicToolChoice } from './wire.js';
import type { ToolNames } from './tool-names.js';

/**
 * Canonical tools → Anthropic tools. Function tools keep their schema minus `$schema` (Anthropic's
 * validator rejects some drafts' meta-schemas); custom tools (Codex apply_patch) become a tool with
 * one string property `input`, their grammar, when they have one, described on that property.
 */
export function encodeTools(tools: CanonicalTool[], names: ToolNames): AnthropicTool[] {
  return tools.map((t) => {
    const out: AnthropicTool = {
      name: names.wire(t.name, t.namespace),
      input_schema: t.kind === 'custom' ? customSchema(t) : functionSchema(t.inputSchema),
    };
    if (t.description) out.description = t.description;
    return out;
  });
}

function functionSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  if (schema === undefined || schema === null || typeof schema !== 'object')
    return { type: 'object', properties: {} };
  if (!('$schema' in schema) && schema.type === 'object') return schema;
  const { $schema: _drop, ...rest } = schema;
  if (rest.type === undefined) rest.type = 'object';
  return rest;
}

function customSchema(t: CanonicalTool): Record<string, unknown> {
  const input: Record<string, unknown> = { type: 'string', description: customInputDescription(t.format) };
  return { type: 'object', properties: { input }, required: ['input'], additionalProperties: false };
}

function customInputDescription(format: unknown): string {
  const base = 'The raw input for this tool, as free text.';
  const f = format as { type?: unknown; syntax?: unknown; definition?: unknown } | undefined;
  if (f && f.type === 'grammar' && typeof f.definition === 'string') {
    const syntax = typeof f.syntax === 'string' ? `${f.syntax} ` : '';
    return `${base} It must match this ${syntax}grammar:\n${f.definition}`;
  }
  return base;
}

/**
 * Canonical tool_choice (+ parallel_tool_calls) → Anthropic's. `required` is Anthropic's `any`;
 * parallel_tool_calls false becomes `disable_parallel_tool_use`.
 */
export function encodeToolChoice(
  choice: ToolChoice | undefined,
  parallel: boolean | undefined,
  names: ToolNames,
): AnthropicToolChoice | undefined {
  const noParallel = parallel === false;
  switch (choice?.type) {
    case undefined:
      return noParallel ? { type: 'auto', disable_parallel_tool_use: true } : undefined;
    case 'none':
      return { type: 'none' };
    case 'auto':
      return noParallel ? { type: 'auto', disable_parallel_tool_use: true } : { type: 'auto' };
    case 'required':
      return noParallel ? { type: 'any', disable_parallel_tool_use: true } : { type: 'any' };
    case 'tool': {
      const name = names.wire(choice.name, choice.namespace);
      return noParallel ? { type: 'tool', name, disable_parallel_tool_use: true } : { type: 'tool', name };
    }
  }
}
