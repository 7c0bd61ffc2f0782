import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../../../../../src/gateway/canonical.js';
import { anthropicMessagesDialect } from '../../../../../src/gateway/dialects/anthropic-messages.js';
import { buildAnthropicRequest } from '../../../../../src/gateway/providers/anthropic/request.js';
import { createParamSink } from '../../../../../src/gateway/params/sink.js';
import { anthropicSchema, capture, deployment } from './helpers.js';

type Json = Record<string, any>;

function base(over: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    model: 'code',
    system: [],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    stream: false,
    ...over,
  };
}

function build(req: CanonicalRequest, d = deployment()): Json {
  return buildAnthropicRequest(req, d) as Json;
}

describe('canonical → Anthropic Messages (real Claude Code bodies)', () => {
  for (const name of ['claude-sayhi', 'claude-tool', 'claude-bash', 'claude-mcp'] as const) {
    it(`${name}: decoded then re-encoded, it is a valid Messages request`, () => {
      const canonical = anthropicMessagesDialect.decodeRequest(capture(name).body);
      const body = build(canonical, deployment({ maxTokens: 8192 }));
      const { thinking: _t, ...rest } = body;
      const validate = anthropicSchema('CreateMessageParams');
      expect(validate(rest), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
      expect(body.model).toBe('claude-sonnet-4-5');
      expect(body.max_tokens).toBe(8192);
      // Turns alternate, starting with the user.
      body.messages.forEach((m: Json, i: number) => expect(m.role).toBe(i % 2 === 0 ? 'user' : 'assistant'));
    });
  }

  it('keeps the three system pieces and folds the mid-conversation system message into the user turn', () => {
    const cap = capture('claude-tool');
    const body = build(anthropicMessagesDialect.decodeRequest(cap.body));
    expect(body.system.map((s: Json) => s.text)).toEqual(
      cap.body.system && (cap.body.system as Json[]).map((s) => s.text),
    );
    expect(body.system.every((s: Json) => s.cache_control === undefined)).toBe(true);
    expect(body.messages.map((m: Json) => m.role)).toEqual(['user', 'assistant', 'user']);
    const reminder = body.messages[0].content[2];
    expect(reminder.type).toBe('text');
    expect(reminder.text.startsWith('<system-reminder>\nAvailable agent types for the Agent tool:')).toBe(
      true,
    );
    expect(reminder.text.endsWith('\n</system-reminder>')).toBe(true);
    // tool_use / tool_result pairing survives.
    const use = body.messages[1].content[0];
    const result = body.messages[2].content[0];
    expect(use).toMatchObject({
      type: 'tool_use',
      name: 'Read',
      input: { file_path: '<scratch>/work/hello.txt' },
    });
    expect(result).toEqual({
      type: 'tool_result',
      tool_use_id: use.id,
      content: '1\tThe secret word is PAPAYA-42.\n2\t',
    });
  });

  it('strips $schema from tool schemas and keeps the rest', () => {
    const body = build(anthropicMessagesDialect.decodeRequest(capture('claude-mcp').body));
    const read = body.tools.find((t: Json) => t.name === 'Read');
    expect(read.input_schema.$schema).toBeUndefined();
    expect(read.input_schema.properties.offset.maximum).toBe(9007199254740991);
    const add = body.tools.find((t: Json) => t.name === 'mcp__mini__add');
    expect(add.input_schema).toEqual({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    });
  });

  it('asks for thinking from adaptive effort high, with max_tokens above the budget', () => {
    const body = build(anthropicMessagesDialect.decodeRequest(capture('claude-sayhi').body));
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 16384 });
    expect(body.max_tokens).toBe(64000);
  });
});

describe('canonical → Anthropic Messages (rules)', () => {
  it('sends leading system messages as system, later ones as reminders, and drops empty text', () => {
    const body = build(
      base({
        system: [{ type: 'text', text: 'top' }],
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'lead' }] },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'q' },
              { type: 'text', text: '' },
            ],
          },
          { role: 'assistant', content: [{ type: 'text', text: 'a' }] },
          { role: 'system', content: [{ type: 'text', text: 'late' }] },
          { role: 'user', content: [{ type: 'text', text: 'q2' }] },
        ],
      }),
    );
    expect(body.system).toEqual([
      { type: 'text', text: 'top' },
      { type: 'text', text: 'lead' },
    ]);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'a' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>\nlate\n</system-reminder>' },
          { type: 'text', text: 'q2' },
        ],
      },
    ]);
  });

  it('merges consecutive same-role turns and puts tool results first', () => {
    const body = build(
      base({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'go' }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'call.1', name: 'f', input: '{"x":1}' }] },
          { role: 'system', content: [{ type: 'text', text: 'note' }] },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                toolUseId: 'call.1',
                content: [{ type: 'text', text: 'ok' }],
                isError: true,
              },
            ],
          },
        ],
      }),
    );
    expect(body.messages[1].content[0]).toEqual({
      type: 'tool_use',
      id: 'call_1',
      name: 'f',
      input: { x: 1 },
    });
    expect(body.messages[2]).toEqual({
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'call_1',
          content: [{ type: 'text', text: 'ok' }],
          is_error: true,
        },
        { type: 'text', text: '<system-reminder>\nnote\n</system-reminder>' },
      ],
    });
  });

  it('encodes url, data-url and base64 images', () => {
    const body = build(
      base({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } },
              { type: 'image', source: { kind: 'url', url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' } },
            ],
          },
        ],
      }),
    );
    expect(body.messages[0].content).toEqual([
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
    ]);
  });

  it('flattens namespaced tools, wraps custom tools, and maps tool_choice', () => {
    const req = base({
      tools: [
        {
          name: 'add',
          namespace: 'mcp__mini',
          kind: 'function',
          inputSchema: { type: 'object', properties: { a: { type: 'number' } } },
        },
        {
          name: 'apply_patch',
          kind: 'custom',
          description: 'Patch files',
          format: { type: 'grammar', syntax: 'lark', definition: 'start: x' },
        },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'c1', name: 'add', namespace: 'mcp__mini', input: { a: 1 } },
            { type: 'tool_use', id: 'c2', name: 'apply_patch', kind: 'custom', input: '*** Begin Patch' },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', toolUseId: 'c1', content: '1' },
            { type: 'tool_result', toolUseId: 'c2', content: 'Done', kind: 'custom' },
          ],
        },
      ],
      toolChoice: { type: 'tool', name: 'add', namespace: 'mcp__mini' },
      parallelToolCalls: false,
    });
    const body = build(req);
    expect(body.tools[0]).toEqual({
      name: 'mcp__mini__add',
      input_schema: { type: 'object', properties: { a: { type: 'number' } } },
    });
    expect(body.tools[1].name).toBe('apply_patch');
    expect(body.tools[1].description).toBe('Patch files');
    expect(body.tools[1].input_schema.required).toEqual(['input']);
    expect(body.tools[1].input_schema.properties.input.type).toBe('string');
    expect(body.tools[1].input_schema.properties.input.description).toContain('lark grammar:\nstart: x');
    expect(body.messages[1].content).toEqual([
      { type: 'tool_use', id: 'c1', name: 'mcp__mini__add', input: { a: 1 } },
      { type: 'tool_use', id: 'c2', name: 'apply_patch', input: { input: '*** Begin Patch' } },
    ]);
    expect(body.tool_choice).toEqual({
      type: 'tool',
      name: 'mcp__mini__add',
      disable_parallel_tool_use: true,
    });
    expect(
      build({ ...req, toolChoice: { type: 'required' }, parallelToolCalls: undefined }).tool_choice,
    ).toEqual({ type: 'any' });
    expect(build({ ...req, toolChoice: { type: 'none' } }).tool_choice).toEqual({ type: 'none' });
    expect(build({ ...req, toolChoice: { type: 'auto' }, parallelToolCalls: true }).tool_choice).toEqual({
      type: 'auto',
    });
    expect(build({ ...req, tools: undefined }).tool_choice).toBeUndefined();
  });

  it('shortens over-long or odd tool names to what Anthropic accepts, consistently', () => {
    const long = 'x'.repeat(80);
    const req = base({
      tools: [
        { name: long, namespace: 'mcp__server', kind: 'function' },
        { name: 'do.it', kind: 'function' },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'c1', name: long, namespace: 'mcp__server', input: {} }],
        },
        { role: 'user', content: [{ type: 'tool_result', toolUseId: 'c1', content: 'ok' }] },
      ],
    });
    const body = build(req);
    const names = body.tools.map((t: Json) => t.name);
    for (const n of names) expect(n).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(names[1]).toBe('do_it');
    expect(body.messages[1].content[0].name).toBe(names[0]);
    expect(body.tools[0].input_schema).toEqual({ type: 'object', properties: {} });
  });

  it('replays signed and redacted thinking, drops unsigned thinking and OpenAI-encrypted reasoning', () => {
    const body = build(
      base({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'q' }] },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', text: 'hmm', signature: 'sig' },
              { type: 'thinking', text: '', redacted: 'opaque' },
              { type: 'thinking', text: 'from elsewhere' },
              { type: 'thinking', text: 'openai reasoning', signature: 'gAAAAABpZ2VuY3J5cHRlZA==' },
              { type: 'text', text: 'a' },
            ],
          },
          { role: 'user', content: [{ type: 'text', text: 'q2' }] },
        ],
      }),
    );
    expect(body.messages[1].content).toEqual([
      { type: 'thinking', thinking: 'hmm', signature: 'sig' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'a' },
    ]);
  });

  it('maps reasoning to a thinking budget and keeps max_tokens above it', () => {
    expect(build(base({ reasoning: { effort: 'low' } })).thinking).toEqual({
      type: 'enabled',
      budget_tokens: 1024,
    });
    expect(build(base({ reasoning: { effort: 'minimal' } })).thinking).toBeUndefined();
    const med = build(base({ reasoning: { effort: 'medium' }, maxTokens: 1000 }));
    expect(med.thinking).toEqual({ type: 'enabled', budget_tokens: 4096 });
    expect(med.max_tokens).toBe(5096);
    const capped = build(
      base({ reasoning: { budgetTokens: 10000 }, maxTokens: 2000 }),
      deployment({ maxTokens: 4000 }),
    );
    expect(capped.max_tokens).toBe(4000);
    expect(capped.thinking).toEqual({ type: 'enabled', budget_tokens: 3999 });
    const tiny = build(base({ reasoning: { effort: 'high' } }), deployment({ maxTokens: 1000 }));
    expect(tiny.thinking).toBeUndefined();
    expect(tiny.max_tokens).toBe(1000);
  });

  it('refuses thinking with a forced tool choice (dropped under drop_params); leaves it off for a tool round without a thinking block', () => {
    const tools = [{ name: 'f', kind: 'function' as const }];
    const forced = base({ reasoning: { effort: 'high' }, tools, toolChoice: { type: 'required' } });
    expect(() => build(forced)).toThrow(
      /reasoning_effort is not supported by deployment .*forced tool choice/,
    );
    const sink = createParamSink(deployment(), true);
    expect(buildAnthropicRequest(forced, deployment(), sink).thinking).toBeUndefined();
    expect(sink.dropped).toEqual(['reasoning_effort']);
    const round = base({
      reasoning: { effort: 'high' },
      tools,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', toolUseId: 'c1', content: 'ok' }] },
      ],
    });
    expect(build(round).thinking).toBeUndefined();
    const signed = structuredClone(round);
    signed.messages[1].content.unshift({ type: 'thinking', text: 't', signature: 's' });
    expect(build(signed).thinking).toEqual({ type: 'enabled', budget_tokens: 16384 });
  });

  it('refuses sampling parameters thinking or Anthropic refuses, whitespace stop sequences and OpenAI-only extras; drops them under drop_params', () => {
    const thinking = base({ reasoning: { effort: 'low' }, temperature: 0.2, topP: 0.5 });
    expect(() => build(thinking)).toThrow(/temperature is not supported .*temperature 1/);
    const thinkSink = createParamSink(deployment(), true);
    const think = buildAnthropicRequest(thinking, deployment(), thinkSink);
    expect(think.temperature).toBeUndefined();
    expect(think.top_p).toBeUndefined();
    expect(thinkSink.dropped).toEqual(['temperature', 'top_p']);
    const req = base({
      temperature: 1.7,
      topP: 0.9,
      stop: ['END', '  ', '\n'],
      openaiExtra: { seed: 1, n: 1, logprobs: false, prompt_cache_key: 'k' },
      user: 'u1',
    });
    expect(() => build(req)).toThrow(/temperature .*0 to 1/);
    const sink = createParamSink(deployment(), true);
    const plain = buildAnthropicRequest(req, deployment(), sink);
    expect(sink.dropped).toEqual(['temperature', 'stop', 'seed']);
    expect(plain.temperature).toBeUndefined();
    expect(plain.top_p).toBe(0.9);
    expect(plain.stop_sequences).toEqual(['END']);
    expect(plain.seed).toBeUndefined();
    expect(plain.metadata).toEqual({ user_id: 'u1' });
    expect(plain.stream).toBeUndefined();
    expect(build(base({ stream: true })).stream).toBe(true);
  });

  it('defaults max_tokens to 4096 and clamps it to the deployment', () => {
    expect(build(base()).max_tokens).toBe(4096);
    expect(build(base({ maxTokens: 64000 }), deployment({ maxTokens: 8192 })).max_tokens).toBe(8192);
    expect(build(base(), deployment({ maxTokens: 1000 })).max_tokens).toBe(1000);
  });

  it('trims trailing whitespace from a final assistant prefill', () => {
    const body = build(
      base({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'q' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'The answer is ' }] },
        ],
      }),
    );
    expect(body.messages[1].content).toEqual([{ type: 'text', text: 'The answer is' }]);
  });
});
