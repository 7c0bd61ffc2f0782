import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeGoogle, type FakeGoogle } from '../helpers/fake-google.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/**
 * Opaque reasoning keeps its origin: what the gateway hands a client (passed through or
 * translated) carries `agentbox:<family>:`; echoed back, it reaches a deployment of that family
 * byte for byte and never reaches another one, also when a fallback moves a session there.
 */

const SIG = 'EqQBCkgIARABGAIiQLq+/Zx9w3tFoo8Bar==';
const REDACTED = 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIw';
const ENC = 'gAAAAABoZ2VuY3J5cHRlZC1yZWFzb25pbmc_-x==';
const MARK_A = `agentbox:anthropic:`;
const MARK_O = `agentbox:openai:`;

let an: FakeUpstream;
let chat: FakeUpstream;
let oai: FakeUpstream;
let google: FakeGoogle;
let gw: Gateway;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  an = await startFakeUpstream('anthropic');
  an.checkThinking = true;
  chat = await startFakeUpstream('openai');
  oai = await startFakeUpstream('openai');
  google = await startFakeGoogle({ apiKey: 'g-key' });
  const loaded = makeConfig(
    [
      { name: 'anthropic', type: 'anthropic', apiBase: an.apiBase, apiKey: 'sk-ant-upstream' },
      { name: 'chat', type: 'openai_compatible', apiBase: chat.apiBase },
      { name: 'openai', type: 'openai', apiBase: oai.apiBase, apiKey: 'sk-openai-upstream' },
      { name: 'gemini', type: 'gemini', apiBase: `${google.url}/v1beta`, apiKey: 'g-key' },
    ],
    {
      'to-anthropic': [{ provider: 'anthropic', model: 'claude-up' }],
      'to-chat': [{ provider: 'chat', model: 'gpt-up' }],
      'to-openai': [{ provider: 'openai', model: 'gpt-5' }],
      'to-gemini': [{ provider: 'gemini', model: 'gemini-3-pro' }],
      'anthropic-then-chat': [
        { provider: 'anthropic', model: 'claude-up' },
        { provider: 'chat', model: 'gpt-up' },
      ],
      'anthropic-then-openai': [
        { provider: 'anthropic', model: 'claude-up' },
        { provider: 'openai', model: 'gpt-5' },
      ],
    },
  );
  loaded.config.router.numRetries = 0;
  gw = await startTestGateway(loaded);
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop(100);
  await an.close();
  await chat.close();
  await oai.close();
  await google.close();
});

const thinkingOk = {
  kind: 'ok' as const,
  thinking: { text: 'Let me think.', signature: SIG, redacted: REDACTED },
  tool: { name: 'lookup', args: { q: 'x' } },
};
const tools = [{ name: 'lookup', input_schema: { type: 'object' as const, properties: {} } }];

/** The next turn of a session whose first answer was `content`. */
function nextTurn(content: Anthropic.ContentBlock[]): Anthropic.MessageParam[] {
  const use = content.find((b) => b.type === 'tool_use')!;
  return [
    { role: 'user', content: 'look it up' },
    { role: 'assistant', content: content as Anthropic.ContentBlockParam[] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'found' }] },
  ];
}

const base = { max_tokens: 4096, thinking: { type: 'enabled' as const, budget_tokens: 2048 }, tools };

describe('Messages passthrough to Anthropic', () => {
  it('marks the streamed signature and redacted data; echoed back they reach Anthropic byte for byte', async () => {
    an.setBehaviours(thinkingOk);
    const first = await anthropic.messages
      .stream({ ...base, model: 'to-anthropic', messages: [{ role: 'user', content: 'look it up' }] })
      .finalMessage();
    const thinking = first.content.find((b) => b.type === 'thinking');
    expect(thinking).toMatchObject({ thinking: 'Let me think.', signature: MARK_A + SIG });
    expect(first.content.find((b) => b.type === 'redacted_thinking')).toMatchObject({
      data: MARK_A + REDACTED,
    });

    an.setBehaviours({ kind: 'ok', text: 'done' });
    await anthropic.messages.create({ ...base, model: 'to-anthropic', messages: nextTurn(first.content) });
    const sent = an.requests.at(-1)!;
    expect(sent.raw).toContain(`"signature":"${SIG}"`);
    expect(sent.raw).toContain(`"data":"${REDACTED}"`);
    expect(sent.raw).not.toContain('agentbox:');
    expect(sent.body.messages[1].content.map((b: { type: string }) => b.type)).toEqual([
      'thinking',
      'redacted_thinking',
      'tool_use',
    ]);
  });

  it('marks a JSON answer too', async () => {
    an.setBehaviours(thinkingOk);
    const m = await anthropic.messages.create({
      ...base,
      model: 'to-anthropic',
      messages: [{ role: 'user', content: 'look it up' }],
    });
    expect(m.content.find((b) => b.type === 'thinking')).toMatchObject({ signature: MARK_A + SIG });
    expect(m.content.find((b) => b.type === 'tool_use')).toMatchObject({ input: { q: 'x' } });
  });

  it('leaves a signature without the mark (a client that talked to Anthropic directly) as it is', async () => {
    an.setBehaviours({ kind: 'ok', text: 'done' });
    const content = [
      { type: 'thinking', thinking: 'direct', signature: SIG },
      { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} },
    ] as Anthropic.ContentBlock[];
    await anthropic.messages.create({ ...base, model: 'to-anthropic', messages: nextTurn(content) });
    expect(an.requests.at(-1)!.body.messages[1].content[0]).toEqual({
      type: 'thinking',
      thinking: 'direct',
      signature: SIG,
    });
  });
});

describe('a session that falls back to another family', () => {
  it('Anthropic overloaded → Chat: Anthropic was asked with the original bytes, Chat never sees them', async () => {
    an.setBehaviours(thinkingOk);
    const first = await anthropic.messages
      .stream({ ...base, model: 'to-anthropic', messages: [{ role: 'user', content: 'look it up' }] })
      .finalMessage();
    an.setBehaviours({ kind: 'status', status: 529 });
    chat.setBehaviours({ kind: 'ok', text: 'served by chat' });
    const beforeAn = an.requests.length;
    const beforeChat = chat.requests.length;
    const second = await anthropic.messages.create({
      ...base,
      model: 'anthropic-then-chat',
      messages: nextTurn(first.content),
    });
    expect(second.content).toEqual([{ type: 'text', text: 'served by chat' }]);
    const tried = an.requests.slice(beforeAn);
    expect(tried).toHaveLength(1);
    expect(tried[0].raw).toContain(`"signature":"${SIG}"`);
    expect(tried[0].raw).not.toContain('agentbox:');
    const served = chat.requests.slice(beforeChat);
    expect(served).toHaveLength(1);
    for (const secret of [SIG, REDACTED, 'agentbox:']) expect(served[0].raw).not.toContain(secret);
    // The conversation itself went across: the call and its result.
    expect(served[0].body.messages.some((m: { tool_calls?: unknown }) => m.tool_calls)).toBe(true);
  });

  it('a translated answer (Responses client → Anthropic) marks encrypted_content; it goes home and nowhere else', async () => {
    an.setBehaviours(thinkingOk);
    const first = await openai.responses.create({
      model: 'to-anthropic',
      input: 'look it up',
      reasoning: { effort: 'low' },
      tools: [
        { type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} }, strict: false },
      ],
    });
    const reasoning = first.output.filter((i) => i.type === 'reasoning');
    expect(reasoning.map((r) => r.encrypted_content)).toEqual([MARK_A + SIG]);
    const call = first.output.find((i) => i.type === 'function_call')!;
    const input: OpenAI.Responses.ResponseInput = [
      { role: 'user', content: 'look it up' },
      ...(first.output as OpenAI.Responses.ResponseInputItem[]),
      { type: 'function_call_output', call_id: call.call_id, output: 'found' },
    ];

    // Home: the Anthropic deployment gets Anthropic's signature as it issued it.
    an.setBehaviours({ kind: 'ok', text: 'done' });
    await openai.responses.create({ model: 'to-anthropic', input, reasoning: { effort: 'low' } });
    const home = an.requests.at(-1)!;
    expect(home.body.messages[1].content[0]).toEqual({
      type: 'thinking',
      thinking: 'Let me think.',
      signature: SIG,
    });
    expect(home.raw).not.toContain('agentbox:');

    // Abroad: OpenAI's Responses API (the client's own dialect, passed through) gets no foreign item.
    oai.setBehaviours({
      kind: 'raw',
      headers: { 'content-type': 'application/json' },
      chunks: [JSON.stringify(responsesJson([]))],
    });
    await openai.responses.create({ model: 'to-openai', input });
    const abroad = oai.requests.at(-1)!;
    expect(abroad.body.input.map((i: { type?: string }) => i.type ?? 'message')).toEqual([
      'message',
      'function_call',
      'function_call_output',
    ]);
    expect(abroad.raw).not.toContain(SIG);
    expect(abroad.raw).not.toContain('agentbox:');
  });

  it('Responses passthrough → OpenAI marks encrypted_content; a fallback to Anthropic drops it, back home it is exact', async () => {
    const enc = { id: 'rs_up1', type: 'reasoning', summary: [], encrypted_content: ENC };
    oai.setBehaviours({
      kind: 'raw',
      headers: { 'content-type': 'application/json' },
      chunks: [JSON.stringify(responsesJson([enc]))],
    });
    const first = await openai.responses.create({
      model: 'to-openai',
      input: 'hi',
      include: ['reasoning.encrypted_content'],
      store: false,
    });
    expect(first.output.find((i) => i.type === 'reasoning')).toMatchObject({
      encrypted_content: MARK_O + ENC,
    });
    const input: OpenAI.Responses.ResponseInput = [
      { role: 'user', content: 'hi' },
      ...(first.output as OpenAI.Responses.ResponseInputItem[]),
      { role: 'user', content: 'again' },
    ];

    an.setBehaviours({ kind: 'ok', text: 'from claude' });
    await openai.responses.create({ model: 'anthropic-then-openai', input, store: false });
    const abroad = an.requests.at(-1)!;
    expect(abroad.raw).not.toContain(ENC);
    expect(abroad.raw).not.toContain('agentbox:');

    an.setBehaviours({ kind: 'status', status: 529 });
    await openai.responses.create({ model: 'anthropic-then-openai', input, store: false });
    const home = oai.requests.at(-1)!;
    expect(home.body.input[1]).toEqual(enc);
    expect(home.raw).toContain(`"encrypted_content":"${ENC}"`);
  });
});

describe("reasoning the gateway made (a Chat upstream's reasoning text)", () => {
  it('a Responses client gets a reasoning item marked as made here; OpenAI never sees its id', async () => {
    const chunk = (delta: unknown, finish: string | null = null): string =>
      `data: ${JSON.stringify({ id: 'chatcmpl-r1', object: 'chat.completion.chunk', created: 1, model: 'gpt-up', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    chat.setBehaviours({
      kind: 'raw',
      chunks: [
        chunk({ role: 'assistant', reasoning_content: 'Thinking it over.' }),
        chunk({ content: 'Hello.' }),
        chunk({}, 'stop'),
        'data: [DONE]\n\n',
      ],
    });
    const first = await openai.responses
      .stream({ model: 'to-chat', input: 'hi', store: false })
      .finalResponse();
    const made = first.output.find((i) => i.type === 'reasoning')!;
    expect(made).toMatchObject({ encrypted_content: 'agentbox:openai_compatible:' });
    expect(first.output_text).toBe('Hello.');

    oai.setBehaviours({
      kind: 'raw',
      headers: { 'content-type': 'application/json' },
      chunks: [JSON.stringify(responsesJson([]))],
    });
    await openai.responses.create({
      model: 'to-openai',
      store: false,
      input: [
        { role: 'user', content: 'hi' },
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { role: 'user', content: 'again' },
      ],
    });
    const sent = oai.requests.at(-1)!;
    expect(sent.raw).not.toContain(made.id);
    expect(sent.raw).not.toContain('agentbox:');
    expect(sent.body.input.map((i: { type?: string }) => i.type ?? 'message')).toEqual([
      'message',
      'message',
      'message',
    ]);
  });
});

describe('Gemini thought signatures', () => {
  const GSIG = 'CtgBAdHtim9+geminiThoughtSig/w==';

  it('a Gemini signature handed to a Messages client goes back to Gemini exact and to Anthropic not at all', async () => {
    google.setBehaviours({
      kind: 'ok',
      thought: 'pondering',
      signature: GSIG,
      call: { name: 'lookup', args: {} },
    });
    const first = await anthropic.messages.create({
      ...base,
      model: 'to-gemini',
      messages: [{ role: 'user', content: 'look it up' }],
    });
    expect(first.content.find((b) => b.type === 'thinking')).toMatchObject({
      signature: `agentbox:gemini:${GSIG}`,
    });

    google.setBehaviours({ kind: 'ok', text: 'done' });
    await anthropic.messages.create({ ...base, model: 'to-gemini', messages: nextTurn(first.content) });
    const home = JSON.stringify(google.requests.at(-1)!.body);
    expect(home).toContain(`"thoughtSignature":"${GSIG}"`);
    expect(home).not.toContain('agentbox:');

    an.setBehaviours({ kind: 'ok', text: 'done' });
    await anthropic.messages.create({ ...base, model: 'to-anthropic', messages: nextTurn(first.content) });
    const abroad = an.requests.at(-1)!;
    expect(abroad.raw).not.toContain(GSIG);
    expect(abroad.raw).not.toContain('agentbox:');
    expect(abroad.body.messages[1].content.map((b: { type: string }) => b.type)).toEqual(['tool_use']);
  });

  it('an Anthropic signature never reaches Gemini: the call gets the documented stand-in', async () => {
    an.setBehaviours(thinkingOk);
    const first = await anthropic.messages.create({
      ...base,
      model: 'to-anthropic',
      messages: [{ role: 'user', content: 'look it up' }],
    });
    google.setBehaviours({ kind: 'ok', text: 'done' });
    await anthropic.messages.create({ ...base, model: 'to-gemini', messages: nextTurn(first.content) });
    const sent = JSON.stringify(google.requests.at(-1)!.body);
    for (const secret of [SIG, REDACTED, 'agentbox:']) expect(sent).not.toContain(secret);
    expect(sent).toContain('"thoughtSignature":"skip_thought_signature_validator"');
  });
});

function responsesJson(reasoning: unknown[]): Record<string, unknown> {
  return {
    id: 'resp_up1',
    object: 'response',
    created_at: 1_700_000_000,
    status: 'completed',
    model: 'gpt-5',
    output: [
      ...reasoning,
      {
        id: 'msg_up1',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'hello', annotations: [] }],
      },
    ],
    usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 },
  };
}
