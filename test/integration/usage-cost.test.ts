import { calcPrice } from '@pydantic/genai-prices';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { ledgerRecords, post } from '../helpers/usage.js';

let openai: FakeUpstream;
let anthropic: FakeUpstream;
let gw: Gateway;
let dir: string;

const OPENAI_USAGE = { input: 1000, output: 100, cacheRead: 500 };
const ANTHROPIC_USAGE = { input: 100, output: 50, cacheRead: 2000, cacheWrite: 3000 };
// What the pricing data says, with genai-prices' own convention (input_tokens is the total).
const gpt4o = (u: { input: number; output: number; cacheRead?: number }) =>
  calcPrice(
    {
      input_tokens: u.input + (u.cacheRead ?? 0),
      cache_read_tokens: u.cacheRead ?? 0,
      output_tokens: u.output,
    },
    'gpt-4o',
    { providerId: 'openai' },
  )!.total_price;
const sonnet = calcPrice(
  { input_tokens: 5100, cache_read_tokens: 2000, cache_write_tokens: 3000, output_tokens: 50 },
  'claude-sonnet-4-5',
  { providerId: 'anthropic' },
)!.total_price;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentbox-cost-'));
  openai = await startFakeUpstream('openai', { kind: 'ok', usage: OPENAI_USAGE });
  anthropic = await startFakeUpstream('anthropic', { kind: 'ok', usage: ANTHROPIC_USAGE });
  const loaded = makeConfig(
    [
      { name: 'openai', type: 'openai', apiBase: openai.apiBase, apiKey: 'sk-o' },
      { name: 'anthropic', type: 'anthropic', apiBase: anthropic.apiBase, apiKey: 'sk-a' },
      { name: 'local', type: 'openai_compatible', apiBase: openai.apiBase },
    ],
    {
      gpt: [{ provider: 'openai', model: 'gpt-4o' }],
      claude: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }],
      cheap: [{ provider: 'openai', model: 'gpt-4o', inputCostPerToken: 1e-6, outputCostPerToken: 2e-6 }],
      mystery: [{ provider: 'local', model: 'mystery-model' }],
    },
  );
  gw = await startTestGateway(loaded, { stateDir: dir });
});
afterAll(async () => {
  await gw.stop(100);
  await Promise.all([openai.close(), anthropic.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const chat = (model: string, stream = false) =>
  post(`${gw.url}/v1/chat/completions`, { model, stream, messages: [{ role: 'user', content: 'hi' }] });
const messages = (model: string, stream = false) =>
  post(`${gw.url}/v1/messages`, {
    model,
    stream,
    max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }],
  });

async function recordOf(requestId: string): Promise<any> {
  await gw.state.usage!.ledger!.flush();
  const r = ledgerRecords(dir).find((x) => x.id === requestId);
  expect(r, `ledger record for ${requestId}`).toBeDefined();
  return r;
}

describe('cost per request', () => {
  it('OpenAI, JSON, with and without cached input: x-agentbox-cost matches the pricing data', async () => {
    const withCache = await chat('gpt');
    expect(withCache.status).toBe(200);
    expect(Number(withCache.headers['x-agentbox-cost'])).toBeCloseTo(gpt4o(OPENAI_USAGE), 10);
    openai.setBehaviours({ kind: 'ok', usage: { input: 1000, output: 100, cacheRead: 0 } });
    const plain = await chat('gpt');
    expect(Number(plain.headers['x-agentbox-cost'])).toBeCloseTo(1000 * 2.5e-6 + 100 * 10e-6, 10);
    openai.setBehaviours({ kind: 'ok', usage: OPENAI_USAGE });
    const rec = await recordOf(withCache.headers['x-request-id']);
    expect(rec).toMatchObject({
      alias: 'gpt',
      deployment: 'openai/gpt-4o',
      input_tokens: 1000,
      cache_read_tokens: 500,
      output_tokens: 100,
    });
    expect(rec.usd).toBeCloseTo(gpt4o(OPENAI_USAGE), 12);
  });

  it('OpenAI, streamed: the ledger prices the cached tokens the same way (no header on streams)', async () => {
    const r = await chat('gpt', true);
    expect(r.status).toBe(200);
    expect(r.headers['x-agentbox-cost']).toBeUndefined();
    const rec = await recordOf(r.headers['x-request-id']);
    expect(rec).toMatchObject({
      stream: true,
      input_tokens: 1000,
      cache_read_tokens: 500,
      output_tokens: 100,
    });
    expect(rec.usd).toBeCloseTo(gpt4o(OPENAI_USAGE), 12);
  });

  it('Anthropic, JSON and streamed, with cache reads and writes', async () => {
    const json = await messages('claude');
    expect(json.status).toBe(200);
    expect(Number(json.headers['x-agentbox-cost'])).toBeCloseTo(sonnet, 10);
    expect(sonnet).toBeCloseTo(100 * 3e-6 + 2000 * 0.3e-6 + 3000 * 3.75e-6 + 50 * 15e-6, 12);
    const streamed = await messages('claude', true);
    expect(streamed.status).toBe(200);
    const rec = await recordOf(streamed.headers['x-request-id']);
    expect(rec).toMatchObject({
      input_tokens: 100,
      cache_read_tokens: 2000,
      cache_write_tokens: 3000,
      output_tokens: 50,
    });
    expect(rec.usd).toBeCloseTo(sonnet, 12);
  });

  it('translated (a Chat client on an Anthropic deployment), streamed: the same price', async () => {
    const r = await chat('claude', true);
    expect(r.status).toBe(200);
    expect((await recordOf(r.headers['x-request-id'])).usd).toBeCloseTo(sonnet, 12);
    const j = await chat('claude');
    expect(Number(j.headers['x-agentbox-cost'])).toBeCloseTo(sonnet, 10);
  });

  it("per-deployment prices win over the pricing data; the catalog's cache price stays", async () => {
    const r = await chat('cheap');
    expect(Number(r.headers['x-agentbox-cost'])).toBeCloseTo(1000 * 1e-6 + 500 * 1.25e-6 + 100 * 2e-6, 10);
  });

  it('/model/info shows the prices in use, from the data or the config', async () => {
    const info = (await (await fetch(`${gw.url}/model/info`)).json()) as any;
    const of = (alias: string) => info.data.find((x: any) => x.model_name === alias).model_info;
    expect(of('gpt')).toMatchObject({
      input_cost_per_token: 2.5e-6,
      output_cost_per_token: 1e-5,
      cache_read_input_token_cost: 1.25e-6,
      price_source: 'catalog',
    });
    expect(of('cheap')).toMatchObject({
      input_cost_per_token: 1e-6,
      output_cost_per_token: 2e-6,
      cache_read_input_token_cost: 1.25e-6,
      price_source: 'catalog+config',
    });
    expect(of('claude')).toMatchObject({
      input_cost_per_token: 3e-6,
      cache_creation_input_token_cost: 3.75e-6,
    });
    expect(of('mystery')).toMatchObject({
      input_cost_per_token: null,
      output_cost_per_token: null,
      price_source: null,
    });
  });

  it('an unknown price is unknown: no header, null in the ledger, never 0', async () => {
    const r = await chat('mystery');
    expect(r.status).toBe(200);
    expect(r.headers['x-agentbox-cost']).toBeUndefined();
    expect((await recordOf(r.headers['x-request-id'])).usd).toBeNull();
  });
});
