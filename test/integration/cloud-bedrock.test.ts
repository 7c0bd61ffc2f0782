import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeBedrock, type FakeBedrock } from '../helpers/fake-bedrock.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startYamlGateway } from '../helpers/yaml-gateway.js';

/**
 * The gateway in front of a fake Bedrock that checks every SigV4 signature independently:
 * Claude Code's Messages requests through InvokeModel with betas and thinking intact, OpenAI
 * clients translated to Converse (JSON and event-stream, tools, cut streams), Bedrock's errors
 * classified for the router, and a Bedrock API key instead of signing.
 */

const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOVA = 'amazon.nova-pro-v1:0';
const AK = 'AKIDEXAMPLE0000001';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

let open: Array<{ close(): Promise<void> } | Gateway> = [];
afterEach(async () => {
  for (const o of open.reverse()) await ('stop' in o ? o.stop(100) : o.close());
  open = [];
});

async function world(env: Record<string, string> = { AWS_ACCESS_KEY_ID: AK, AWS_SECRET_ACCESS_KEY: SECRET }) {
  const bedrock = await startFakeBedrock({ secrets: { [AK]: SECRET }, bearer: 'bedrock-api-key-123' });
  const backup = await startFakeUpstream('openai', { kind: 'ok', text: 'backup answered' });
  const yaml = `
litellm:
  providers:
    bedrock: { region: us-west-2, api_base: "${bedrock.url}" }
    backup: { type: openai_compatible, api_base: "${backup.apiBase}" }
  models:
    claude: [{ provider: bedrock, model: "${CLAUDE}" }]
    nova:
      - { provider: bedrock, model: "${NOVA}" }
      - { provider: backup, model: m2 }
    nova-only: [{ provider: bedrock, model: "${NOVA}" }]
    to-bedrock:
      - { provider: backup, model: m2 }
      - { provider: bedrock, model: "${CLAUDE}" }
  router: { num_retries: 1, timeout: 5 }
`;
  const gw = await startYamlGateway(yaml, { HOME: '/nonexistent', ...env });
  open.push(bedrock, backup, gw);
  return {
    bedrock,
    backup,
    gw,
    anthropic: new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 }),
    openai: new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 }),
  };
}

function lastSig(b: FakeBedrock) {
  return b.requests[b.requests.length - 1].sig;
}

describe('Claude on Bedrock through InvokeModel', () => {
  it('passes a Messages request through with its betas, thinking blocks and cache_control, signed', async () => {
    const w = await world();
    const msg = await w.anthropic.messages.create(
      {
        model: 'claude',
        max_tokens: 2048,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }],
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'the user greets', signature: 'sig-abc' },
              { type: 'text', text: 'hello' },
            ],
          },
          { role: 'user', content: 'again' },
        ],
      },
      { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14,context-1m-2025-08-07' } },
    );
    expect(msg.content).toEqual([{ type: 'text', text: 'hello from bedrock' }]);
    expect(msg.usage.cache_read_input_tokens).toBe(3);
    const r = w.bedrock.requests[0];
    expect(r.op).toBe('invoke');
    expect(r.model).toBe(CLAUDE);
    expect(r.path).toBe(`/model/${encodeURIComponent(CLAUDE)}/invoke`);
    expect(r.sig).toMatchObject({ ok: true, accessKeyId: AK, region: 'us-west-2', service: 'bedrock' });
    expect(r.body.anthropic_version).toBe('bedrock-2023-05-31');
    expect(r.body.anthropic_beta).toEqual(['interleaved-thinking-2025-05-14', 'context-1m-2025-08-07']);
    expect(r.body).not.toHaveProperty('model');
    expect(r.body).not.toHaveProperty('stream');
    expect(r.body.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(r.body.system[0].cache_control).toEqual({ type: 'ephemeral' });
    expect(r.body.messages[1].content[0]).toEqual({
      type: 'thinking',
      thinking: 'the user greets',
      signature: 'sig-abc',
    });
    // Neither the client's key nor an Anthropic header goes to AWS.
    expect(JSON.stringify(r.headers)).not.toContain('client-key');
    expect(r.headers['x-api-key']).toBeUndefined();
  });

  it('streams: event-stream chunk frames reach the client as Messages SSE', async () => {
    const w = await world();
    w.bedrock.setBehaviours({ kind: 'text', text: 'streamed from bedrock' });
    const s = w.anthropic.messages.stream({
      model: 'claude',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const final = await s.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'streamed from bedrock' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(w.bedrock.requests[0].op).toBe('invoke-with-response-stream');
    expect(w.bedrock.requests[0].headers.accept).toBe('application/vnd.amazon.eventstream');
    expect(lastSig(w.bedrock).ok).toBe(true);
  });

  it('a stream cut inside a frame ends in an error event, not a clean end', async () => {
    const w = await world();
    w.bedrock.setBehaviours({ kind: 'cut', afterFrames: 4 });
    const s = w.anthropic.messages.stream({
      model: 'claude',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(s.finalMessage()).rejects.toThrow(/upstream stream failed/);
    // The body ending cleanly inside a frame is a failure too: the decoder knows a message is missing.
    w.bedrock.setBehaviours({ kind: 'cut', afterFrames: 4, graceful: true });
    const t = w.anthropic.messages.stream({
      model: 'claude',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(t.finalMessage()).rejects.toThrow(/event stream ended inside a message/);
  });
});

describe('any Bedrock model through Converse', () => {
  it('translates a Chat request (system, tools) and its tool-call answer', async () => {
    const w = await world();
    w.bedrock.setBehaviours({ kind: 'tool', name: 'get_weather', input: { city: 'Oslo' } });
    const r = await w.openai.chat.completions.create({
      model: 'nova',
      max_tokens: 300,
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'you are terse' },
        { role: 'user', content: 'weather in Oslo?' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
    });
    const call = r.choices[0].message.tool_calls![0] as { function: { name: string; arguments: string } };
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Oslo' });
    expect(r.choices[0].finish_reason).toBe('tool_calls');
    expect(r.usage?.prompt_tokens).toBe(15); // 12 + 3 cache-read tokens
    const sent = w.bedrock.requests[0];
    expect(sent.op).toBe('converse');
    expect(sent.sig.ok).toBe(true);
    expect(sent.body.system).toEqual([{ text: 'you are terse' }]);
    expect(sent.body.messages).toEqual([{ role: 'user', content: [{ text: 'weather in Oslo?' }] }]);
    expect(sent.body.inferenceConfig).toEqual({ maxTokens: 300, temperature: 0.2 });
    expect(sent.body.toolConfig.tools[0].toolSpec).toMatchObject({
      name: 'get_weather',
      inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } },
    });
  });

  it('streams ConverseStream frames as Chat chunks, tool arguments and usage included', async () => {
    const w = await world();
    w.bedrock.setBehaviours({ kind: 'text', text: 'a converse stream' });
    const s = w.openai.chat.completions.stream({
      model: 'nova',
      messages: [{ role: 'user', content: 'hi' }],
      stream_options: { include_usage: true },
    });
    const final = await s.finalChatCompletion();
    expect(final.choices[0].message.content).toBe('a converse stream');
    expect(final.usage?.completion_tokens).toBe(5);
    expect(w.bedrock.requests[0].op).toBe('converse-stream');

    w.bedrock.setBehaviours({ kind: 'tool', name: 'lookup', input: { q: 'x y z' } });
    const t = w.openai.chat.completions.stream({
      model: 'nova',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
    });
    const tf = await t.finalChatCompletion();
    const call = tf.choices[0].message.tool_calls![0] as { function: { name: string; arguments: string } };
    expect(JSON.parse(call.function.arguments)).toEqual({ q: 'x y z' });
  });

  it('maps reasoning content both ways: thinking asked for, reasoning blocks with signatures back', async () => {
    const w = await world();
    w.bedrock.setBehaviours({ kind: 'thinking', thinking: 'let me think', text: 'the answer' });
    const s = w.anthropic.messages.stream({
      model: 'nova-only',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 2000 },
      messages: [
        { role: 'user', content: 'q1' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'earlier', signature: 'sig-old' },
            { type: 'text', text: 'a1' },
          ],
        },
        { role: 'user', content: 'q2' },
      ],
    });
    const m = await s.finalMessage();
    expect(m.content).toEqual([
      // Marked with its origin: a Bedrock model's reasoning goes back to Bedrock only.
      { type: 'thinking', thinking: 'let me think', signature: 'agentbox:bedrock:sig-converse' },
      { type: 'text', text: 'the answer' },
    ]);
    const sent = w.bedrock.requests[0].body;
    expect(sent.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 2000 } });
    expect(sent.messages[1].content[0]).toEqual({
      reasoningContent: { reasoningText: { text: 'earlier', signature: 'sig-old' } },
    });

    w.bedrock.setBehaviours({ kind: 'thinking', thinking: 'json thoughts', text: 'json answer' });
    const j = await w.openai.chat.completions.create({
      model: 'nova-only',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(j.choices[0].message.content).toBe('json answer');
  });

  it('prices Claude on Bedrock from the catalogue (inference profile id included)', async () => {
    const w = await world();
    const { response } = await w.anthropic.messages
      .create({ model: 'claude', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    // The catalogue's regional (us.) Sonnet 4.5 entry: $3.30 / MTok in, $16.50 out, $0.33 cache read;
    // the fake reports 12 + 3 cached in, 5 out.
    expect(Number(response.headers.get('x-agentbox-cost'))).toBeCloseTo(
      (12 * 3.3 + 3 * 0.33 + 5 * 16.5) / 1e6,
      12,
    );
  });

  it('an exception frame mid-stream reaches the client as an error, never as a finished answer', async () => {
    const w = await world();
    w.bedrock.setBehaviours({ kind: 'exception', type: 'modelStreamErrorException', message: 'model broke' });
    const s = w.openai.chat.completions.stream({
      model: 'nova-only',
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(s.finalChatCompletion()).rejects.toThrow(/model broke/);
  });

  it('refuses an image by URL, naming why', async () => {
    const w = await world();
    const r = w.openai.chat.completions.create({
      model: 'nova-only',
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/x.png' } }] },
      ],
    });
    await expect(r).rejects.toThrow(/base64/);
    expect(w.bedrock.requests).toHaveLength(0);
  });
});

describe("Bedrock's errors", () => {
  it('ThrottlingException falls back and cools the deployment down', async () => {
    const w = await world();
    w.bedrock.setBehaviours({
      kind: 'error',
      status: 429,
      type: 'ThrottlingException',
      message: 'Too many requests',
    });
    const r = await w.openai.chat.completions.create({
      model: 'nova',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.choices[0].message.content).toBe('backup answered');
    const again = await w.openai.chat.completions.create({
      model: 'nova',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(again.choices[0].message.content).toBe('backup answered');
    expect(w.bedrock.requests).toHaveLength(1); // cooling: not asked again
  });

  it('a ValidationException about length is a context-window failure the chain moves on from', async () => {
    const w = await world();
    w.bedrock.setBehaviours({
      kind: 'error',
      status: 400,
      type: 'ValidationException',
      message: 'Input is too long for requested model.',
    });
    const r = await w.openai.chat.completions.create({
      model: 'nova',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.choices[0].message.content).toBe('backup answered');
  });

  it('ModelNotReadyException is retried on the same deployment', async () => {
    const w = await world();
    w.bedrock.setBehaviours(
      { kind: 'error', status: 429, type: 'ModelNotReadyException', message: 'warming up' },
      { kind: 'text', text: 'ready now' },
    );
    const r = await w.openai.chat.completions.create({
      model: 'nova-only',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.choices[0].message.content).toBe('ready now');
    expect(w.bedrock.requests).toHaveLength(2);
  });

  it('is a fallback target too: a 500 elsewhere moves on to Bedrock (Messages client, Claude via InvokeModel)', async () => {
    const w = await world();
    w.backup.setBehaviours({ kind: 'status', status: 500, body: { error: { message: 'down' } } });
    const { data, response } = await w.anthropic.messages
      .create({ model: 'to-bedrock', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.content).toEqual([{ type: 'text', text: 'hello from bedrock' }]);
    expect(response.headers.get('x-agentbox-deployment')).toBe(`bedrock/${CLAUDE}`);
    expect(w.bedrock.requests[0].op).toBe('invoke');
  });

  it('a Messages client reaching a non-Claude model is translated to Converse', async () => {
    const w = await world();
    w.bedrock.setBehaviours({ kind: 'text', text: 'nova via converse' });
    const m = await w.anthropic.messages
      .stream({ model: 'nova-only', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    expect(m.content).toEqual([{ type: 'text', text: 'nova via converse' }]);
    expect(m.usage.cache_read_input_tokens).toBe(3);
    expect(w.bedrock.requests[0].op).toBe('converse-stream');
  });

  it('AccessDeniedException is a 403 that ends the request', async () => {
    const w = await world();
    w.bedrock.setBehaviours({
      kind: 'error',
      status: 403,
      type: 'AccessDeniedException',
      message: 'no model access',
    });
    const err = await w.openai.chat.completions
      .create({ model: 'nova', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e as { status: number; message: string });
    expect(err).toMatchObject({ status: 403 });
    expect(String((err as { message: string }).message)).toContain('no model access');
    expect(w.backup.requests).toHaveLength(0);
  });
});

describe('Bedrock credentials', () => {
  it('AWS_BEARER_TOKEN_BEDROCK is sent as a Bearer token instead of a signature', async () => {
    const w = await world({ AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key-123' });
    const r = await w.openai.chat.completions.create({
      model: 'nova-only',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.choices[0].message.content).toBe('hello from bedrock');
    expect(lastSig(w.bedrock)).toEqual({ ok: true, bearer: 'bedrock-api-key-123' });
  });

  it('credentials that cannot be found at request time move the request on, saying where it looked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentbox-aws-'));
    const file = join(dir, 'credentials');
    writeFileSync(file, '[other]\naws_access_key_id = AK\naws_secret_access_key = S\n');
    try {
      const w = await world({ AWS_SHARED_CREDENTIALS_FILE: file, AWS_PROFILE: 'work' });
      const { data, response } = await w.openai.chat.completions
        .create({ model: 'nova', messages: [{ role: 'user', content: 'hi' }] })
        .withResponse();
      expect(data.choices[0].message.content).toBe('backup answered');
      expect(response.headers.get('x-agentbox-fallbacks')).toBe('1');
      expect(w.bedrock.requests).toHaveLength(0);
      const err = await w.openai.chat.completions
        .create({ model: 'nova-only', messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e as { status: number; message: string });
      expect(err).toMatchObject({ status: 401 });
      expect((err as { message: string }).message).toContain('keys for profile "work"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a wrong secret fails the independent signature check (the check can fail)', async () => {
    const w = await world({ AWS_ACCESS_KEY_ID: AK, AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    const err = await w.openai.chat.completions
      .create({ model: 'nova-only', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e as { status: number });
    expect(err).toMatchObject({ status: 403 });
    expect(lastSig(w.bedrock)).toMatchObject({ ok: false, why: 'signature mismatch' });
  });
});
