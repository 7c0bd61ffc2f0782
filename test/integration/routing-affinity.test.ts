import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LitellmConfig } from '../../src/config/types.js';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type Behaviour } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { redisInstalled, startRedis, type RedisServer } from '../helpers/usage.js';

let open: Array<{ close(): Promise<void> } | Gateway> = [];
let redis: RedisServer | undefined;
afterEach(async () => {
  for (const o of open.reverse()) await ('stop' in o ? o.stop(100) : o.close());
  open = [];
});
afterAll(async () => {
  await redis?.stop();
});

const ROUTER = { numRetries: 0, timeoutS: 5, retryAfterSeconds: 60, allowedFails: 1, cooldownS: 30 };

/** Two deployments of one format sharing load equally (one group), behind alias `pool`. */
async function pair(
  format: 'openai' | 'anthropic',
  behaviour: Behaviour = { kind: 'ok' },
  over: Partial<LitellmConfig> = {},
) {
  const ups = [await startFakeUpstream(format, behaviour), await startFakeUpstream(format, behaviour)];
  open.push(...ups);
  const type = format === 'anthropic' ? 'anthropic' : 'openai';
  const loaded = makeConfig(
    ups.map((u, i) => ({ name: `p${i}`, type, apiBase: u.apiBase, apiKey: `sk-up-${i}` })),
    { pool: ups.map((_, i) => ({ provider: `p${i}`, model: `m${i}`, order: 0 })) },
    { router: ROUTER, ...over },
  );
  const gw = await startTestGateway(loaded);
  open.push(gw);
  return { ups, gw };
}

async function chat(gw: Gateway, headers: Record<string, string>, body: Record<string, unknown> = {}) {
  const r = await request(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k', ...headers },
    body: JSON.stringify({ model: 'pool', messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
  await r.body.text();
  expect(r.statusCode).toBe(200);
  return String(r.headers['x-agentbox-deployment']);
}

describe('session affinity', () => {
  it('keeps each Claude Code session (x-claude-code-session-id) on one deployment while sessions spread', async () => {
    const { gw } = await pair('anthropic', { kind: 'ok', usage: { cacheRead: 100 } });
    const bySession = new Map<string, Set<string>>();
    for (let s = 0; s < 24; s++) {
      const session = `3f1c0e4a-0000-4000-8000-${String(s).padStart(12, '0')}`;
      const client = new Anthropic({
        baseURL: gw.url,
        apiKey: 'k',
        maxRetries: 0,
        defaultHeaders: { 'x-claude-code-session-id': session },
      });
      const seen = new Set<string>();
      for (let turn = 0; turn < 5; turn++) {
        const { response } = await client.messages
          .create({ model: 'pool', max_tokens: 16, messages: [{ role: 'user', content: `turn ${turn}` }] })
          .withResponse();
        seen.add(String(response.headers.get('x-agentbox-deployment')));
      }
      bySession.set(session, seen);
    }
    for (const seen of bySession.values()) expect(seen.size).toBe(1);
    const firsts = new Set([...bySession.values()].map((s) => [...s][0]));
    expect(firsts).toEqual(new Set(['p0/m0', 'p1/m1'])); // 24 sessions at 50/50: both are used
    // Cache read tokens per alias, in /model/info.
    const info = (await (await request(`${gw.url}/model/info`)).body.json()) as {
      data: Array<{ model_info: { cache_read_tokens: number; alias_cache_read_tokens: number } }>;
    };
    expect(info.data[0].model_info.alias_cache_read_tokens).toBe(24 * 5 * 100);
    expect(info.data[0].model_info.cache_read_tokens + info.data[1].model_info.cache_read_tokens).toBe(
      24 * 5 * 100,
    );
  });

  it('a fallback moves the session and the new deployment stays sticky after the old one recovers', async () => {
    const { ups, gw } = await pair('openai', { kind: 'ok' }, { router: { ...ROUTER, cooldownS: 0.3 } });
    const h = { 'x-agentbox-session': 'my-session' };
    const first = await chat(gw, h);
    const i = first === 'p0/m0' ? 0 : 1;
    expect(await chat(gw, h)).toBe(first);
    ups[i].setBehaviours({ kind: 'status', status: 500 });
    const moved = await chat(gw, h);
    expect(moved).not.toBe(first);
    ups[i].setBehaviours({ kind: 'ok' });
    await new Promise((r) => setTimeout(r, 400)); // the old deployment's cooldown is over
    for (let n = 0; n < 10; n++) expect(await chat(gw, h)).toBe(moved);
  });

  it("recognises Codex's session-id header and prompt_cache_key", async () => {
    const { gw } = await pair('openai');
    for (const [headers, body] of [
      [{ 'session-id': '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' }, {}],
      [{}, { prompt_cache_key: '0199a1b2-aaaa-7e5f-8a9b-0c1d2e3f4a5b' }],
    ] as const) {
      const seen = new Set<string>();
      for (let n = 0; n < 12; n++) seen.add(await chat(gw, { ...headers }, { ...body }));
      expect(seen.size).toBe(1);
    }
    // Without a session the same requests spread over the group.
    const spread = new Set<string>();
    for (let n = 0; n < 40; n++) spread.add(await chat(gw, {}));
    expect(spread.size).toBe(2);
  });

  it('a Responses previous_response_id goes to the deployment that made that response', async () => {
    let n = 0;
    const answer = (tag: string): Behaviour => ({
      kind: 'decide',
      decide: () => {
        const id = `resp_${tag}_${n++}`;
        return {
          kind: 'raw',
          headers: { 'content-type': 'application/json' },
          chunks: [
            JSON.stringify({
              id,
              object: 'response',
              status: 'completed',
              model: 'm',
              output: [
                {
                  id: `msg_${id}`,
                  type: 'message',
                  role: 'assistant',
                  status: 'completed',
                  content: [{ type: 'output_text', text: id, annotations: [] }],
                },
              ],
              usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
            }),
          ],
        };
      },
    });
    const { ups, gw } = await pair('openai');
    ups[0].setBehaviours(answer('zero'));
    ups[1].setBehaviours(answer('one'));
    const ask = async (previous?: string) => {
      const r = await request(`${gw.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
        body: JSON.stringify({ model: 'pool', input: 'next', store: true, previous_response_id: previous }),
      });
      const body = (await r.body.json()) as { id: string };
      expect(r.statusCode).toBe(200);
      return { id: body.id, deployment: String(r.headers['x-agentbox-deployment']) };
    };
    for (let chain = 0; chain < 4; chain++) {
      let turn = await ask();
      const home = turn.deployment;
      for (let k = 0; k < 6; k++) {
        turn = await ask(turn.id);
        expect(turn.deployment).toBe(home);
      }
    }
  });
});

describe.skipIf(!redisInstalled())('session affinity through Redis', () => {
  it('two daemons sharing redis_url send a session to the same deployment', async () => {
    redis ??= await startRedis();
    const ups = [await startFakeUpstream('openai'), await startFakeUpstream('openai')];
    open.push(...ups);
    const gws: Gateway[] = [];
    for (let g = 0; g < 2; g++) {
      const loaded = makeConfig(
        ups.map((u, i) => ({ name: `p${i}`, type: 'openai', apiBase: u.apiBase, apiKey: `sk-up-${i}` })),
        { pool: ups.map((_, i) => ({ provider: `p${i}`, model: `m${i}`, order: 0 })) },
        { router: ROUTER, redisUrl: redis.url },
      );
      gws.push(await startTestGateway(loaded));
    }
    open.push(...gws);
    for (let s = 0; s < 10; s++) {
      const h = { 'x-agentbox-session': `shared-${s}-${Date.now()}` };
      const home = await chat(gws[0], h);
      await new Promise((r) => setTimeout(r, 20)); // the write-through reaches Redis
      for (let k = 0; k < 4; k++) expect(await chat(gws[k % 2], h)).toBe(home);
    }
  });
});
