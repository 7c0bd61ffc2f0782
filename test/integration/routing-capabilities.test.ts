import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Deployment, LitellmConfig } from '../../src/config/types.js';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

let open: Array<{ close(): Promise<void> } | Gateway> = [];
afterEach(async () => {
  for (const o of open.reverse()) await ('stop' in o ? o.stop(100) : o.close());
  open = [];
});

type Entry = Partial<Omit<Deployment, 'provider' | 'model'>> & { model?: string };

/** Alias `pool`: a first deployment `p0` described by `first`, then a plain `p1/able`. */
async function world(
  first: Entry,
  over: Partial<LitellmConfig> = {},
  type: 'openai' | 'openai_compatible' = 'openai_compatible',
) {
  const ups: FakeUpstream[] = [await startFakeUpstream('openai'), await startFakeUpstream('openai')];
  open.push(...ups);
  const loaded = makeConfig(
    [
      { name: 'p0', type, apiBase: ups[0].apiBase, apiKey: 'sk-0' },
      { name: 'p1', type: 'openai_compatible', apiBase: ups[1].apiBase },
    ],
    {
      pool: [
        { provider: 'p0', model: 'limited', ...first },
        { provider: 'p1', model: 'able' },
      ],
    },
    over,
  );
  const gw = await startTestGateway(loaded);
  open.push(gw);
  return { ups, gw };
}

async function chat(gw: Gateway, body: Record<string, unknown>) {
  const r = await request(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: JSON.stringify({ model: 'pool', messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
  const json = (await r.body.json()) as { error?: { message: string } };
  const h = (n: string) => (r.headers[n] === undefined ? undefined : String(r.headers[n]));
  return {
    status: r.statusCode,
    json,
    deployment: h('x-agentbox-deployment'),
    attempts: h('x-agentbox-attempts'),
    skipped: h('x-agentbox-skipped'),
  };
}

const image = {
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'what is this?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      ],
    },
  ],
};
const tools = { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }] };
const schema = {
  response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
};
const reasoning = { reasoning_effort: 'high' };

describe('capability-aware routing (pre-call checks)', () => {
  for (const [name, caps, body, reason] of [
    ['images', { vision: false }, image, 'no vision'],
    ['tools', { tools: false }, tools, 'no tool use'],
    ['a JSON schema', { jsonSchema: false }, schema, 'no structured output'],
    ['reasoning effort', { reasoning: false }, reasoning, 'no reasoning'],
  ] as const) {
    it(`skips a deployment that cannot take ${name}, untried, and says so`, async () => {
      const { ups, gw } = await world({ capabilities: caps });
      const r = await chat(gw, body);
      expect(r.status).toBe(200);
      expect(r.deployment).toBe('p1/able');
      expect(r.attempts).toBe('2');
      expect(r.skipped).toMatch(new RegExp(`^p0/limited \\(${reason} \\(`));
      expect(ups[0].requests).toHaveLength(0);
      // A request without that need still goes to the first deployment.
      const plain = await chat(gw, {});
      expect(plain.deployment).toBe('p0/limited');
      expect(plain.skipped).toBeUndefined();
      expect(ups[0].requests).toHaveLength(1);
    });
  }

  it('skips a deployment whose configured context window the prompt does not fit (tokenizer count)', async () => {
    const { ups, gw } = await world({ contextWindow: 60 });
    const long = { messages: [{ role: 'user', content: 'word '.repeat(80) }] };
    const r = await chat(gw, long);
    expect(r.deployment).toBe('p1/able');
    expect(r.skipped).toMatch(
      /^p0\/limited \(prompt of about \d+ tokens does not fit its 60-token context window\)$/,
    );
    expect(ups[0].requests).toHaveLength(0);
    // 40 words fit in 60 tokens even with the margin: no skip.
    expect((await chat(gw, { messages: [{ role: 'user', content: 'word '.repeat(40) }] })).deployment).toBe(
      'p0/limited',
    );
  });

  it('takes the context window from the pricing catalogue when the chain entry has none (gpt-4: 8192)', async () => {
    const { ups, gw } = await world({ model: 'gpt-4' }, {}, 'openai');
    const r = await chat(gw, { messages: [{ role: 'user', content: 'lorem ipsum dolor '.repeat(4000) }] });
    expect(r.deployment).toBe('p1/able');
    expect(r.skipped).toMatch(/8192-token context window/);
    expect(ups[0].requests).toHaveLength(0);
  });

  it('refuses with 400 naming each deployment and reason when none can serve', async () => {
    const ups = [await startFakeUpstream('openai')];
    open.push(...ups);
    const gw = await startTestGateway(
      makeConfig([{ name: 'p0', type: 'openai_compatible', apiBase: ups[0].apiBase }], {
        pool: [{ provider: 'p0', model: 'text-only', capabilities: { vision: false } }],
      }),
    );
    open.push(gw);
    const r = await chat(gw, image);
    expect(r.status).toBe(400);
    expect(r.json.error!.message).toBe(
      'no deployment of "pool" can serve this request: p0/text-only: no vision (the request has images)',
    );
    expect(ups[0].requests).toHaveLength(0);
  });

  it('router.enable_pre_call_checks: false tries the deployment anyway', async () => {
    const base = makeConfig([], {}).config.router;
    const { ups, gw } = await world(
      { capabilities: { vision: false } },
      { router: { ...base, preCallChecks: false } },
    );
    const r = await chat(gw, image);
    expect(r.deployment).toBe('p0/limited');
    expect(r.skipped).toBeUndefined();
    expect(ups[0].requests).toHaveLength(1);
  });
});
