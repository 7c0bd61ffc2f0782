import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/**
 * What only one format's upstreams can honour (Anthropic server tools, `container`,
 * `mcp_servers`, context edits, PDFs; Responses hosted tools) is never lost in silence on a
 * deployment of another format: refused with a 400 naming it, dropped with `x-agentbox-dropped`
 * under drop_params, or mapped where a real equivalent exists. Offers that agents make on every
 * request (Codex's web_search and tool_search) are left out and listed.
 */

let chat: FakeUpstream;
let an: FakeUpstream;
let gw: Gateway;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  chat = await startFakeUpstream('openai');
  an = await startFakeUpstream('anthropic');
  gw = await startTestGateway(
    makeConfig(
      [
        { name: 'chat', type: 'openai_compatible', apiBase: chat.apiBase },
        { name: 'anthropic', type: 'anthropic', apiBase: an.apiBase, apiKey: 'sk-ant-upstream' },
      ],
      {
        'to-chat': [{ provider: 'chat', model: 'gpt-up' }],
        'to-chat-drop': [{ provider: 'chat', model: 'gpt-up', dropParams: true }],
        'to-anthropic': [{ provider: 'anthropic', model: 'claude-up' }],
        'to-anthropic-drop': [{ provider: 'anthropic', model: 'claude-up', dropParams: true }],
      },
    ),
  );
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop(100);
  await chat.close();
  await an.close();
});

const ask = { max_tokens: 200, messages: [{ role: 'user' as const, content: 'hi' }] };

/** A Messages request the Chat deployment must refuse, naming `param`, without sending anything. */
async function refusedOnChat(extra: Record<string, unknown>, param: string): Promise<void> {
  const before = chat.requests.length;
  const err = await anthropic.messages
    .create({ model: 'to-chat', ...ask, ...extra } as Anthropic.MessageCreateParamsNonStreaming)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(Anthropic.BadRequestError);
  const message = (err as InstanceType<typeof Anthropic.BadRequestError>).error as {
    error: { type: string; message: string };
  };
  expect(message.error.type).toBe('invalid_request_error');
  expect(message.error.message).toContain(`${param} is not supported by deployment chat/gpt-up`);
  expect(chat.requests.length).toBe(before);
}

describe('Messages fields only Anthropic honours, to a Chat deployment', () => {
  it('a server tool is refused by name; under drop_params it is dropped and listed', async () => {
    const tools = [
      { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
      { name: 'lookup', input_schema: { type: 'object', properties: {} } },
    ];
    await refusedOnChat({ tools }, 'tools.web_search_20250305');
    chat.setBehaviours({ kind: 'ok', text: 'no search' });
    const { data, response } = await anthropic.messages
      .create({ model: 'to-chat-drop', ...ask, tools } as Anthropic.MessageCreateParamsNonStreaming)
      .withResponse();
    expect(data.content).toEqual([{ type: 'text', text: 'no search' }]);
    expect(response.headers.get('x-agentbox-dropped')).toBe('tools.web_search_20250305');
    expect(chat.requests.at(-1)!.body.tools.map((t: any) => t.function.name)).toEqual(['lookup']);
  });

  it.each([
    [{ container: 'container_011CZ' }, 'container'],
    [{ mcp_servers: [{ type: 'url', url: 'https://mcp.example/sse', name: 'ex' }] }, 'mcp_servers'],
    [{ metadata: { user_id: 'u1', tenant: 'acme' } }, 'metadata.tenant'],
    [
      {
        context_management: {
          edits: [{ type: 'clear_tool_uses_20250919', trigger: { type: 'input_tokens', value: 1000 } }],
        },
      },
      'context_management.edits[0]',
    ],
    [
      { tools: [{ type: 'code_execution_20250825', name: 'code_execution' }] },
      'tools.code_execution_20250825',
    ],
    [
      {
        tools: [
          { type: 'computer_20250124', name: 'computer', display_width_px: 800, display_height_px: 600 },
        ],
      },
      'tools.computer_20250124',
    ],
  ])('%j is refused by name', async (extra, param) => {
    await refusedOnChat(extra, param);
  });

  it('a PDF document in the conversation is refused by its path, not lost', async () => {
    const messages = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'summarise' },
          {
            type: 'document',
            source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' },
          },
        ],
      },
    ];
    await refusedOnChat({ messages }, 'messages[0].content[1]');
  });

  it("Claude Code's own fields (thinking-clearing edit, metadata.user_id) still go through", async () => {
    chat.setBehaviours({ kind: 'ok', text: 'fine' });
    const { response } = await anthropic.messages
      .create({
        model: 'to-chat',
        ...ask,
        metadata: { user_id: 'u1' },
        context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      } as Anthropic.MessageCreateParamsNonStreaming)
      .withResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-agentbox-dropped')).toBeNull();
    expect(chat.requests.at(-1)!.body.user).toBe('u1');
  });

  it("Anthropic's bash tool crosses as a function tool with its schema; the call comes back as bash", async () => {
    chat.setBehaviours({ kind: 'ok', tool: { name: 'bash', args: { command: 'ls' } } });
    const m = await anthropic.messages.create({
      model: 'to-chat',
      ...ask,
      tools: [{ type: 'bash_20250124', name: 'bash' }],
    });
    const sent = chat.requests.at(-1)!.body.tools;
    expect(sent).toHaveLength(1);
    expect(sent[0].function.name).toBe('bash');
    expect(sent[0].function.parameters.properties.command.type).toBe('string');
    expect(m.content).toEqual([
      { type: 'tool_use', id: expect.any(String), name: 'bash', input: { command: 'ls' } },
    ]);
  });

  it('the same request passed through to Anthropic keeps every field', async () => {
    an.setBehaviours({ kind: 'ok', text: 'searched' });
    const tools = [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }];
    await anthropic.messages.create({
      model: 'to-anthropic',
      ...ask,
      tools,
      container: 'container_011CZ',
    } as Anthropic.MessageCreateParamsNonStreaming);
    const body = an.requests.at(-1)!.body;
    expect(body.tools).toEqual(tools);
    expect(body.container).toBe('container_011CZ');
  });
});

describe('Responses hosted tools, to an Anthropic deployment', () => {
  const fn = {
    type: 'function' as const,
    name: 'exec_command',
    parameters: { type: 'object', properties: {} },
    strict: false,
  };

  it("Codex's offers (web_search, tool_search) are left out and listed; the function tools go", async () => {
    an.setBehaviours({ kind: 'ok', text: 'ok' });
    const { data, response } = await openai.responses
      .create({
        model: 'to-anthropic',
        input: 'hi',
        tools: [
          fn,
          { type: 'web_search', external_web_access: false } as unknown as OpenAI.Responses.Tool,
          {
            type: 'tool_search',
            execution: 'client',
            parameters: { type: 'object', properties: { query: { type: 'string' } } },
          } as unknown as OpenAI.Responses.Tool,
        ],
      })
      .withResponse();
    expect(data.output_text).toBe('ok');
    expect(response.headers.get('x-agentbox-dropped')).toBe('tools.web_search,tools.tool_search');
    expect(an.requests.at(-1)!.body.tools.map((t: { name: string }) => t.name)).toEqual(['exec_command']);
  });

  it('a hosted tool the request relies on (file_search) is refused; under drop_params dropped and listed', async () => {
    const tools = [fn, { type: 'file_search' as const, vector_store_ids: ['vs_1'] }];
    const before = an.requests.length;
    await expect(
      openai.responses.create({ model: 'to-anthropic', input: 'hi', tools }),
    ).rejects.toMatchObject({
      status: 400,
      error: {
        message: expect.stringContaining(
          'tools.file_search is not supported by deployment anthropic/claude-up',
        ),
      },
    });
    expect(an.requests.length).toBe(before);
    an.setBehaviours({ kind: 'ok', text: 'without files' });
    const { response } = await openai.responses
      .create({ model: 'to-anthropic-drop', input: 'hi', tools })
      .withResponse();
    expect(response.headers.get('x-agentbox-dropped')).toBe('tools.file_search');
  });

  it('a tool_choice forcing a hosted tool is refused by name, not turned into auto', async () => {
    await expect(
      openai.responses.create({
        model: 'to-anthropic',
        input: 'search',
        tools: [{ type: 'web_search' as const }],
        tool_choice: { type: 'web_search' } as unknown as OpenAI.Responses.ToolChoiceTypes,
      }),
    ).rejects.toMatchObject({
      status: 400,
      error: {
        message: expect.stringContaining('tool_choice is not supported by deployment anthropic/claude-up'),
      },
    });
  });
});
