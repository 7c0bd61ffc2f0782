import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/**
 * `POST /v1/messages/count_tokens` is admitted like a completion: a key limited to `[fast]` may not
 * count against other models (403, no upstream call), and the key's rpm covers counts too (429).
 */
let ant: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  ant = await startFakeUpstream('anthropic');
  const loaded = makeConfig(
    [{ name: 'a', type: 'anthropic', apiBase: ant.apiBase, apiKey: 'sk-ant-provider' }],
    {
      fast: [{ provider: 'a', model: 'claude-haiku' }],
      code: [{ provider: 'a', model: 'claude-opus' }],
    },
    {
      keys: {
        limited: { name: 'limited', key: 'sk-limited', keyState: 'set', models: ['fast'], rpm: 2 },
        open: { name: 'open', key: 'sk-open', keyState: 'set' },
      },
    },
  );
  gw = await startTestGateway(loaded);
});
afterAll(async () => {
  await gw?.stop(100);
  await ant?.close();
});

const client = (apiKey: string) => new Anthropic({ baseURL: gw.url, apiKey, maxRetries: 0 });
const count = (apiKey: string, model: string) =>
  client(apiKey).messages.countTokens({ model, messages: [{ role: 'user', content: 'hello' }] });

describe('count_tokens admission', () => {
  it('count_tokens applies the key model allowlist: 403 naming the model, no upstream call', async () => {
    const before = ant.requests.length;
    const e = await count('sk-limited', 'code').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((e as InstanceType<typeof Anthropic.APIError>).message).toMatch(/code/);
    expect(ant.requests.length).toBe(before);
    // The same key counts against the model it may use; another key may count against any.
    expect((await count('sk-limited', 'fast')).input_tokens).toBe(42);
    expect((await count('sk-open', 'code')).input_tokens).toBe(42);
  });

  it('count_tokens applies the key rate limits: the rpm is shared with completions', async () => {
    // One count above; one completion; then the third request in the minute is refused.
    const msg = await client('sk-limited').messages.create({
      model: 'fast',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(msg.type).toBe('message');
    const before = ant.requests.length;
    const e = await count('sk-limited', 'fast').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Anthropic.RateLimitError);
    expect(
      Number((e as InstanceType<typeof Anthropic.APIError>).headers?.get('retry-after')),
    ).toBeGreaterThan(0);
    expect(ant.requests.length).toBe(before);
  });
});
