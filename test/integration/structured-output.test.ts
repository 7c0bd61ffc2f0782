import Anthropic from '@anthropic-ai/sdk';
import { jsonSchemaOutputFormat } from '@anthropic-ai/sdk/helpers/json-schema';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/**
 * Structured output crosses dialects both ways: Chat `response_format` and Responses `text.format`
 * reach Anthropic as native `output_config.format` (models that have it) or as a forced answer tool
 * whose input comes back as the JSON text; Anthropic `output_config.format` reaches Chat upstreams
 * as `response_format`. Checked on the upstream's request body and on the SDK's parsed result.
 */

let oa: FakeUpstream;
let an: FakeUpstream;
let gw: Gateway;
let openai: OpenAI;
let anthropic: Anthropic;

const schema = {
  type: 'object',
  properties: { city: { type: 'string' }, temp: { type: 'number' } },
  required: ['city', 'temp'],
  additionalProperties: false,
} as const;
const answer = { city: 'Oslo', temp: 3 };

beforeAll(async () => {
  oa = await startFakeUpstream('openai');
  an = await startFakeUpstream('anthropic');
  gw = await startTestGateway(
    makeConfig(
      [
        { name: 'compat', type: 'openai_compatible', apiBase: oa.apiBase },
        { name: 'anthropic', type: 'anthropic', apiBase: an.apiBase, apiKey: 'sk-ant-upstream' },
      ],
      {
        'to-claude-old': [{ provider: 'anthropic', model: 'claude-3-5-haiku-20241022' }],
        'to-claude-native': [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }],
        'to-chat': [{ provider: 'compat', model: 'llama' }],
      },
    ),
  );
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop(100);
  await oa.close();
  await an.close();
});

const responseFormat = {
  type: 'json_schema' as const,
  json_schema: { name: 'weather', schema, strict: true },
};

describe('Chat response_format → Anthropic', () => {
  it('a model without native structured output gets a forced answer tool; the SDK parses its input', async () => {
    an.setBehaviours({ kind: 'ok', tool: { name: 'json_response', args: answer } });
    const c = await openai.chat.completions.parse({
      model: 'to-claude-old',
      response_format: responseFormat,
      messages: [{ role: 'user', content: 'weather in Oslo as JSON' }],
    });
    expect(c.choices[0].message.parsed).toEqual(answer);
    expect(c.choices[0].message.tool_calls ?? []).toEqual([]);
    expect(c.choices[0].finish_reason).toBe('stop');
    const up = an.requests.at(-1)!.body;
    expect(up.tools).toEqual([expect.objectContaining({ name: 'json_response', input_schema: schema })]);
    expect(up.tool_choice).toEqual({ type: 'tool', name: 'json_response' });
    expect(up).not.toHaveProperty('output_config');
  });

  it('streamed, the answer tool arrives as content deltas', async () => {
    an.setBehaviours({ kind: 'ok', tool: { name: 'json_response', args: answer } });
    const final = await openai.chat.completions
      .stream({
        model: 'to-claude-old',
        response_format: responseFormat,
        messages: [{ role: 'user', content: 'weather in Oslo as JSON' }],
      })
      .finalChatCompletion();
    // The stream helper parses only zod-made formats; the content is the JSON itself.
    expect(JSON.parse(final.choices[0].message.content!)).toEqual(answer);
    expect(final.choices[0].message.tool_calls ?? []).toEqual([]);
    expect(final.choices[0].finish_reason).toBe('stop');
  });

  it('with tools of its own, the model may call them: tool_choice any, real tool calls come through', async () => {
    an.setBehaviours({ kind: 'ok', tool: { name: 'lookup', args: { q: 'Oslo' } } });
    const c = await openai.chat.completions.create({
      model: 'to-claude-old',
      response_format: responseFormat,
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      messages: [{ role: 'user', content: 'weather in Oslo as JSON' }],
    });
    expect(c.choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name: 'lookup' } });
    expect(c.choices[0].finish_reason).toBe('tool_calls');
    const up = an.requests.at(-1)!.body;
    expect(up.tools.map((t: { name: string }) => t.name)).toEqual(['lookup', 'json_response']);
    expect(up.tool_choice).toEqual({ type: 'any' });
  });

  it('a model with native structured output gets output_config.format', async () => {
    an.setBehaviours({ kind: 'ok', text: JSON.stringify(answer) });
    const c = await openai.chat.completions.parse({
      model: 'to-claude-native',
      response_format: responseFormat,
      messages: [{ role: 'user', content: 'weather in Oslo as JSON' }],
    });
    expect(c.choices[0].message.parsed).toEqual(answer);
    const up = an.requests.at(-1)!.body;
    expect(up.output_config).toEqual({ format: { type: 'json_schema', schema } });
    expect(up).not.toHaveProperty('tools');
  });

  it('json_object gets an answer tool taking any object', async () => {
    an.setBehaviours({ kind: 'ok', tool: { name: 'json_response', args: { ok: true } } });
    const c = await openai.chat.completions.create({
      model: 'to-claude-old',
      response_format: { type: 'json_object' },
      messages: [{ role: 'user', content: 'any JSON' }],
    });
    expect(JSON.parse(c.choices[0].message.content!)).toEqual({ ok: true });
    expect(an.requests.at(-1)!.body.tools[0].input_schema).toEqual({
      type: 'object',
      additionalProperties: true,
    });
  });

  it('a malformed response_format is refused naming the field', async () => {
    await expect(
      openai.chat.completions.create({
        model: 'to-claude-old',
        response_format: { type: 'json_schema', json_schema: { name: 'x' } } as never,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toMatchObject({ status: 400, error: { param: 'response_format.json_schema.schema' } });
  });
});

describe('Responses text.format → Anthropic', () => {
  it('responses.parse gets output_parsed from the answer tool', async () => {
    an.setBehaviours({ kind: 'ok', tool: { name: 'json_response', args: answer } });
    const r = await openai.responses.parse({
      model: 'to-claude-old',
      input: 'weather in Oslo as JSON',
      text: { format: { type: 'json_schema', name: 'weather', schema, strict: true } },
    });
    expect(r.output_parsed).toEqual(answer);
    const up = an.requests.at(-1)!.body;
    expect(up.tools).toEqual([expect.objectContaining({ name: 'json_response', input_schema: schema })]);
  });
});

describe('Anthropic output_config.format → a Chat upstream', () => {
  it('becomes response_format json_schema; messages.parse reads parsed_output', async () => {
    oa.setBehaviours({ kind: 'ok', text: JSON.stringify(answer) });
    const m = await anthropic.messages.parse({
      model: 'to-chat',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'weather in Oslo as JSON' }],
      output_config: { format: jsonSchemaOutputFormat(schema) },
    });
    expect(m.parsed_output).toEqual(answer);
    const up = oa.requests.at(-1)!.body;
    expect(up.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema },
    });
  });

  it('the beta output_format is read the same way', async () => {
    oa.setBehaviours({ kind: 'ok', text: JSON.stringify(answer) });
    const m = await anthropic.messages.create({
      model: 'to-chat',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'weather in Oslo as JSON' }],
      output_format: { type: 'json_schema', schema },
    } as never);
    expect(JSON.parse((m.content[0] as { text: string }).text)).toEqual(answer);
    expect(oa.requests.at(-1)!.body.response_format.json_schema.schema).toEqual(schema);
  });
});
