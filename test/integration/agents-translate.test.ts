import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { validateOpenAI } from '../helpers/openai-schema.js';
import { anthropicSchema } from '../unit/gateway/providers/anthropic/helpers.js';
import { decodeSse } from '../helpers/sse.js';

/**
 * Crossing dialects with what the agents really send: a cut upstream stream never becomes a clean
 * end in any client dialect, and Codex's namespace (MCP) and custom (apply_patch) tools survive a
 * round trip through Chat- and Anthropic-format upstreams. Every client stream event is checked
 * against the published schemas.
 */

const fixture = (path: string): any =>
  JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));
const claudeTool = fixture('anthropic/claude-tool-full.json');
const codexMcp = fixture('responses/codex-mcp-round.json').body;
const codexPatch = fixture('responses/codex-patch-round.json').body;

let oa: FakeUpstream;
let an: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  oa = await startFakeUpstream('openai');
  an = await startFakeUpstream('anthropic');
  const loaded = makeConfig(
    [
      { name: 'oai', type: 'openai_compatible', apiBase: oa.apiBase },
      { name: 'anthropic', type: 'anthropic', apiBase: an.apiBase, apiKey: 'sk-ant-upstream' },
    ],
    {
      'to-chat': [{ provider: 'oai', model: 'gpt-up' }],
      'to-anthropic': [{ provider: 'anthropic', model: 'claude-up' }],
    },
    { router: { numRetries: 0, timeoutS: 5, retryAfterSeconds: 60, allowedFails: 100, cooldownS: 0 } },
  );
  gw = await startTestGateway(loaded);
});
afterAll(async () => {
  await gw.stop(100);
  await oa.close();
  await an.close();
});

interface Ev {
  event?: string;
  data: any;
}

async function postStream(
  path: string,
  body: unknown,
): Promise<{ status: number; events: Ev[]; text: string }> {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer client' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const events = decodeSse(text).map((e) => ({
    event: e.event,
    data: e.data === '[DONE]' ? '[DONE]' : JSON.parse(e.data),
  }));
  return { status: res.status, events, text };
}

function expectValidAnthropic(events: Ev[]): void {
  const stream = anthropicSchema('MessageStreamEvent');
  const error = anthropicSchema('ErrorResponse');
  for (const e of events) {
    expect(e.event, 'Anthropic streams carry event: lines').toBe(e.data.type);
    if (e.data.type === 'ping') continue;
    const v = e.data.type === 'error' ? error : stream;
    expect(v(e.data), `${JSON.stringify(e.data)} ${JSON.stringify(v.errors?.slice(0, 2))}`).toBe(true);
  }
}

function expectValidResponses(events: Ev[]): void {
  for (const e of events) {
    expect(e.event).toBe(e.data.type);
    expect(validateOpenAI('ResponseStreamEvent', e.data), JSON.stringify(e.data).slice(0, 300)).toEqual([]);
  }
}

const cutAfter = (format: 'openai' | 'anthropic') => ({
  kind: 'cut' as const,
  afterEvents: format === 'openai' ? 3 : 4,
});

describe('a cut upstream stream never ends cleanly', () => {
  const claudeBody = (model: string) => ({ ...claudeTool.body, model });

  it.each([
    ['Messages → Anthropic (passthrough)', 'to-anthropic'],
    ['Messages → Chat', 'to-chat'],
  ])('%s: text began, then an error event and no message_stop', async (_, model) => {
    const up = model === 'to-chat' ? oa : an;
    up.setBehaviours(cutAfter(model === 'to-chat' ? 'openai' : 'anthropic'));
    const r = await postStream('/v1/messages?beta=true', claudeBody(model));
    expect(r.status).toBe(200);
    const types = r.events.map((e) => e.data.type);
    expect(types[0]).toBe('message_start');
    expect(types).toContain('content_block_delta');
    expect(types).not.toContain('message_stop');
    expect(types.at(-1)).toBe('error');
    expectValidAnthropic(r.events);
  });

  it.each([
    ['Responses → Chat', 'to-chat'],
    ['Responses → Anthropic', 'to-anthropic'],
  ])('%s: deltas began, then error and response.failed, never response.completed', async (_, model) => {
    (model === 'to-chat' ? oa : an).setBehaviours(cutAfter(model === 'to-chat' ? 'openai' : 'anthropic'));
    const r = await postStream('/v1/responses', { ...codexMcp, model });
    expect(r.status).toBe(200);
    const types = r.events.map((e) => e.data.type);
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_text.delta');
    expect(types).not.toContain('response.completed');
    expect(types).not.toContain('response.output_item.done');
    expect(types.slice(-2)).toEqual(['error', 'response.failed']);
    expectValidResponses(r.events);
  });

  it.each([
    ['Chat → Anthropic', 'to-anthropic'],
    ['Chat → Chat (passthrough)', 'to-chat'],
  ])('%s: no [DONE] and no finish_reason after a cut', async (_, model) => {
    (model === 'to-chat' ? oa : an).setBehaviours(cutAfter(model === 'to-chat' ? 'openai' : 'anthropic'));
    const r = await postStream('/v1/chat/completions', {
      model,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.status).toBe(200);
    expect(r.text).not.toContain('[DONE]');
    const finishes = r.events
      .flatMap((e) => (e.data.choices ?? []).map((c: any) => c.finish_reason))
      .filter(Boolean);
    expect(finishes).toEqual([]);
    expect(r.events.at(-1)!.data.error).toBeDefined();
  });
});

describe('Claude Code → Chat upstream: a complete, valid Messages stream', () => {
  it.each([
    ['text', { kind: 'ok' as const, text: 'The secret word is PAPAYA-42.' }],
    ['tool use', { kind: 'ok' as const, tool: { name: 'Read', args: { file_path: '/tmp/hello.txt' } } }],
  ])(
    '%s: every event valid, message_stop last, what the upstream saw is plain Chat',
    async (kind, behaviour) => {
      oa.setBehaviours(behaviour);
      const r = await postStream('/v1/messages?beta=true', { ...claudeTool.body, model: 'to-chat' });
      expect(r.status).toBe(200);
      expectValidAnthropic(r.events);
      const types = r.events.map((e) => e.data.type);
      expect(types[0]).toBe('message_start');
      expect(types.at(-1)).toBe('message_stop');
      const delta = r.events.find((e) => e.data.type === 'message_delta')!.data;
      expect(delta.delta.stop_reason).toBe(kind === 'text' ? 'end_turn' : 'tool_use');
      if (kind === 'tool use') {
        const block = r.events.find((e) => e.data.type === 'content_block_start')!.data.content_block;
        expect(block).toMatchObject({ type: 'tool_use', name: 'Read' });
        expect(block.id).toMatch(/^[a-zA-Z0-9_-]+$/);
      }
      const up = oa.requests.at(-1)!.body;
      // Anthropic-only fields are not forwarded raw: none at the top, no cache_control anywhere.
      for (const field of ['thinking', 'context_management', 'output_config', 'metadata', 'system'])
        expect(Object.keys(up), field).not.toContain(field);
      const keys = new Set<string>();
      JSON.stringify(up, (k, v) => (keys.add(k), v));
      expect(keys.has('cache_control')).toBe(false);
      expect(keys.has('input_schema')).toBe(false);
      expect(up.messages.map((m: any) => m.role)).toEqual(['system', 'user', 'system', 'assistant', 'tool']);
    },
  );
});

describe('Codex MCP tools (namespace) round-trip', () => {
  it('Responses → Chat: flattened function tools up, function_call with namespace back', async () => {
    oa.setBehaviours({ kind: 'ok', tool: { name: 'mcp__mini__add', args: { a: 1, b: 2 } } });
    const r = await postStream('/v1/responses', { ...codexMcp, model: 'to-chat' });
    expect(r.status).toBe(200);
    const up = oa.requests.at(-1)!.body;
    expect(
      up.tools.every((t: any) => t.type === 'function' && /^[a-zA-Z0-9_-]{1,64}$/.test(t.function.name)),
    ).toBe(true);
    const names = up.tools.map((t: any) => t.function.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'exec_command',
        'mcp__mini__add',
        'mcp__mini__echo',
        'multi_agent_v1__close_agent',
      ]),
    );
    expect(names).not.toContain('web_search');
    // The history: the namespaced call flattened the same way, its output (input_text parts) as text.
    const call = up.messages.find((m: any) => m.role === 'assistant' && m.tool_calls)?.tool_calls[0];
    expect(call.function).toEqual({ name: 'mcp__mini__add', arguments: '{"a":2,"b":40}' });
    const out = up.messages.find((m: any) => m.role === 'tool');
    expect(out.tool_call_id).toBe(call.id);
    expect(JSON.stringify(out.content)).toContain('42');
    expect(up.messages[0].role).toMatch(/^(system|developer)$/);

    const done = r.events.filter((e) => e.data.type === 'response.output_item.done').map((e) => e.data.item);
    expect(done).toEqual([
      expect.objectContaining({
        type: 'function_call',
        name: 'add',
        namespace: 'mcp__mini',
        arguments: '{"a":1,"b":2}',
      }),
    ]);
    expect(r.events.at(-1)!.data.type).toBe('response.completed');
    expectValidResponses(r.events);
  });

  it('Responses → Anthropic: tools with input_schema up, function_call with namespace back', async () => {
    an.setBehaviours({ kind: 'ok', tool: { name: 'mcp__mini__add', args: { a: 1, b: 2 } } });
    const r = await postStream('/v1/responses', { ...codexMcp, model: 'to-anthropic' });
    expect(r.status).toBe(200);
    const up = an.requests.at(-1)!.body;
    expect(
      up.tools.every((t: any) => /^[a-zA-Z0-9_-]{1,64}$/.test(t.name) && t.input_schema?.type === 'object'),
    ).toBe(true);
    expect(up.tools.map((t: any) => t.name)).toEqual(
      expect.arrayContaining(['exec_command', 'mcp__mini__add']),
    );
    expect(up.messages[0].role).toBe('user');
    expect(typeof up.system === 'string' || Array.isArray(up.system)).toBe(true);
    const blocks = up.messages.flatMap((m: any) => (Array.isArray(m.content) ? m.content : []));
    const use = blocks.find((b: any) => b.type === 'tool_use');
    expect(use).toMatchObject({ name: 'mcp__mini__add', input: { a: 2, b: 40 } });
    expect(blocks.find((b: any) => b.type === 'tool_result')).toMatchObject({ tool_use_id: use.id });
    expect(anthropicSchema('CreateMessageParams')(up)).toBe(true);

    const done = r.events.filter((e) => e.data.type === 'response.output_item.done').map((e) => e.data.item);
    expect(done).toEqual([
      expect.objectContaining({
        type: 'function_call',
        name: 'add',
        namespace: 'mcp__mini',
        arguments: '{"a":1,"b":2}',
      }),
    ]);
    expect(r.events.at(-1)!.data.type).toBe('response.completed');
    expectValidResponses(r.events);
  });
});

describe('Codex apply_patch (custom tool) round-trip', () => {
  const PATCH = '*** Begin Patch\n*** Add File: hi.txt\n+hello "world" \\ ✓\n*** End Patch\n';

  it.each([
    ['Responses → Chat', 'to-chat'],
    ['Responses → Anthropic', 'to-anthropic'],
  ])('%s: a string-input tool up, custom_tool_call with the raw patch back', async (_, model) => {
    const up = model === 'to-chat' ? oa : an;
    up.setBehaviours({ kind: 'ok', tool: { name: 'apply_patch', args: { input: PATCH } } });
    const r = await postStream('/v1/responses', { ...codexPatch, model });
    expect(r.status).toBe(200);
    const body = up.requests.at(-1)!.body;
    const tools =
      model === 'to-chat'
        ? body.tools.map((t: any) => ({ name: t.function.name, schema: t.function.parameters }))
        : body.tools.map((t: any) => ({ name: t.name, schema: t.input_schema }));
    const patchTool = tools.find((t: any) => t.name === 'apply_patch');
    expect(patchTool.schema).toMatchObject({
      type: 'object',
      properties: { input: { type: 'string' } },
      required: ['input'],
    });
    expect(tools.map((t: any) => t.name)).not.toContain('tool_search');
    // The earlier custom call in the history goes up as a call of that tool with {input}.
    const earlier = codexPatch.input.find((i: any) => i.type === 'custom_tool_call').input;
    const calls = body.messages.flatMap((m: any) =>
      model === 'to-chat'
        ? (m.tool_calls ?? []).map((c: any) => ({
            name: c.function.name,
            input: JSON.parse(c.function.arguments),
          }))
        : (Array.isArray(m.content) ? m.content : []).filter((b: any) => b.type === 'tool_use'),
    );
    expect(calls).toEqual([expect.objectContaining({ name: 'apply_patch', input: { input: earlier } })]);
    const history = JSON.stringify(body.messages);
    expect(history).toContain('Success. Updated the following files');

    const done = r.events.filter((e) => e.data.type === 'response.output_item.done').map((e) => e.data.item);
    expect(done).toEqual([
      expect.objectContaining({ type: 'custom_tool_call', name: 'apply_patch', input: PATCH }),
    ]);
    expect(r.events.at(-1)!.data.type).toBe('response.completed');
    expectValidResponses(r.events);
  });
});

describe('Non-ASCII requests crossing dialects: the same characters up and back', () => {
  const instructions = 'Antworte kurz — “präzise” → 简洁 😀';
  const tool = {
    type: 'function',
    name: 'lire_fichier',
    description: 'Lit un fichier (chemin complet, «sans» raccourci)',
    parameters: { type: 'object', properties: { chemin: { type: 'string', description: 'Chemin d’accès' } } },
  };

  it('Responses → Chat JSON: the upstream gets the UTF-8 text, the answer echoes it exactly', async () => {
    oa.setBehaviours({ kind: 'ok' });
    const body = {
      model: 'to-chat',
      instructions,
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Grüße, ça va? 日本語' }] }],
      tools: [tool],
    };
    const res = await fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer client' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const raw = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(raw.length);
    const answer = JSON.parse(raw.toString('utf8'));
    expect(answer.instructions).toBe(instructions);
    expect(answer.tools[0]).toMatchObject({ name: 'lire_fichier', description: tool.description });
    expect(answer.tools[0].parameters.properties.chemin.description).toBe('Chemin d’accès');

    const up = oa.requests.at(-1)!;
    // Valid UTF-8 on the wire: decoding and re-encoding gives the same bytes.
    expect(
      Buffer.from(Buffer.from(up.raw, 'utf8').toString('utf8'), 'utf8').equals(Buffer.from(up.raw, 'utf8')),
    ).toBe(true);
    expect(up.raw).not.toContain('\ufffd');
    expect(JSON.stringify(up.body.messages)).toContain('Grüße, ça va? 日本語');
    expect(up.body.messages[0].content).toContain(instructions);
    expect(up.body.tools[0].function.description).toBe(tool.description);
  });

  it('Messages → Chat stream: the upstream gets the UTF-8 text of system, tools and history', async () => {
    oa.setBehaviours({ kind: 'ok' });
    const r = await postStream('/v1/messages', {
      model: 'to-chat',
      max_tokens: 64,
      stream: true,
      system: instructions,
      tools: [{ name: 'lire_fichier', description: tool.description, input_schema: tool.parameters }],
      messages: [{ role: 'user', content: 'Grüße, ça va? 日本語' }],
    });
    expect(r.status).toBe(200);
    expectValidAnthropic(r.events);
    const up = oa.requests.at(-1)!;
    expect(up.raw).not.toContain('\ufffd');
    expect(up.body.messages[0].content).toContain(instructions);
    expect(JSON.stringify(up.body.messages)).toContain('Grüße, ça va? 日本語');
    expect(up.body.tools[0].function.description).toBe(tool.description);
    expect(up.body.tools[0].function.parameters.properties.chemin.description).toBe('Chemin d’accès');
  });
});
