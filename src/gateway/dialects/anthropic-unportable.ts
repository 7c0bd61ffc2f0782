import type { CanonicalRequest, CanonicalTool } from '../canonical.js';
import { unportable } from '../params/unportable.js';
import { isObject } from './anthropic-decode-blocks.js';

type Json = Record<string, unknown>;

const DIALECT = 'anthropic-messages' as const;

/**
 * Anthropic-defined client tools the client runs itself, declared by type with no schema: they
 * cross as function tools with the input schema Anthropic documents for them, under the name the
 * model calls them by, so the client receives the calls it knows how to run.
 */
const CLIENT_TOOL_SCHEMAS: Array<[RegExp, Record<string, unknown>]> = [
  [
    /^bash_\d+$/,
    {
      type: 'object',
      properties: {
        command: { type: 'string', description: 'The bash command to run.' },
        restart: { type: 'boolean', description: 'Restart the bash session.' },
      },
    },
  ],
  [
    /^text_editor_\d+$/,
    {
      type: 'object',
      properties: {
        command: { type: 'string', enum: ['view', 'create', 'str_replace', 'insert', 'undo_edit'] },
        path: { type: 'string', description: 'Absolute path of the file or directory.' },
        file_text: { type: 'string', description: 'Content of the file to create.' },
        old_str: { type: 'string', description: 'Exact text to replace.' },
        new_str: { type: 'string', description: 'Replacement text, or the text to insert.' },
        insert_line: { type: 'integer', description: 'Line after which to insert.' },
        view_range: { type: 'array', items: { type: 'integer' }, description: '[start, end] lines to view.' },
      },
      required: ['command', 'path'],
    },
  ],
];

/**
 * A typed tool (`bash_20250124`, `web_search_20250305`…) → a function tool where Anthropic's
 * client tool has a documented schema; anything else runs at Anthropic only (server tools) or has
 * no equivalent elsewhere (computer use, memory), and is recorded as unportable.
 */
export function decodeTypedTool(t: Json, req: CanonicalRequest): CanonicalTool | undefined {
  const type = String(t.type);
  const schema = CLIENT_TOOL_SCHEMAS.find(([re]) => re.test(type))?.[1];
  if (schema && typeof t.name === 'string') return { name: t.name, kind: 'function', inputSchema: schema };
  const server = /^(web_search|web_fetch|code_execution|tool_search_tool|mcp_toolset)/.test(type);
  unportable(req, {
    param: `tools.${type}`,
    why: server
      ? `${type} is a server tool that only Anthropic runs`
      : `${type} is an Anthropic-defined tool with no equivalent in this deployment's API`,
    dialect: DIALECT,
  });
  return undefined;
}

/**
 * Top-level Messages fields with no counterpart in another format: `container` and `mcp_servers`
 * (run at Anthropic), `metadata` keys other than `user_id`, and `context_management` edits other
 * than clearing thinking (thinking never reaches another family, so that edit is met as asked).
 */
export function noteUnportableFields(body: Json, req: CanonicalRequest): void {
  const note = (param: string, why: string): void => unportable(req, { param, why, dialect: DIALECT });
  if (body.container != null) note('container', 'code execution containers exist at Anthropic only');
  if (Array.isArray(body.mcp_servers) && body.mcp_servers.length > 0)
    note('mcp_servers', "Anthropic's MCP connector calls the servers from Anthropic");
  if (isObject(body.metadata))
    for (const k of Object.keys(body.metadata))
      if (k !== 'user_id' && body.metadata[k] != null)
        note(`metadata.${k}`, 'Anthropic metadata carries only user_id');
  const cm = body.context_management;
  if (isObject(cm)) {
    const edits = Array.isArray(cm.edits) ? cm.edits : [];
    edits.forEach((e, i) => {
      const type = isObject(e) ? String(e.type) : '';
      if (!type.startsWith('clear_thinking_'))
        note(
          `context_management.edits[${i}]`,
          `${type || 'this edit'} is context editing that Anthropic applies server-side`,
        );
    });
  }
}
