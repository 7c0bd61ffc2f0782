/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/**
 * The live page at /ui in a real headless Chromium: it asks for the key the gateway wants, then
 * shows each request as it is served (over the SSE feed) and a deployment cooling after 500s.
 * With AGENTBOX_UI_SCREENSHOT=path it saves a screenshot there (docs/ui.png is made this way).
 */

const MASTER = 'sk-master-ui-test';

describe.skipIf(!existsSync(CHROMIUM))(`live page /ui (needs ${CHROMIUM})`, () => {
  let good: FakeUpstream;
  let bad: FakeUpstream;
  let gw: Gateway;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];

  const chat = (model: string): Promise<Response> =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'secret prompt text' }] }),
    });

  beforeAll(async () => {
    good = await startFakeUpstream('openai', { kind: 'ok', usage: { input: 11, output: 7 } });
    bad = await startFakeUpstream('openai', {
      kind: 'status',
      status: 500,
      body: { error: { message: 'boom' } },
    });
    const loaded = makeConfig(
      [
        { name: 'good', type: 'openai', apiBase: good.apiBase, apiKey: 'sk-good' },
        { name: 'bad', type: 'openai', apiBase: bad.apiBase, apiKey: 'sk-bad' },
      ],
      { fast: [{ provider: 'good', model: 'gpt-fast' }], flaky: [{ provider: 'bad', model: 'gpt-flaky' }] },
      {
        masterKey: MASTER,
        router: { numRetries: 0, timeoutS: 5, retryAfterSeconds: 60, allowedFails: 1, cooldownS: 120 },
      },
    );
    gw = await startTestGateway(loaded);
    profile = await mkdtemp(join(tmpdir(), 'agentbox-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 640 },
      args: CHROMIUM_ARGS,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    await gw?.stop(100);
    await good?.close();
    await bad?.close();
  });

  it('asks for the key on 401 and then shows the deployments', async () => {
    const res = await page.goto(`${gw.url}/ui`);
    expect(res?.status()).toBe(200);
    await page.locator('#keyform').waitFor({ state: 'visible', timeout: 5000 });
    await page.fill('#key', MASTER);
    await page.click('#keyform button');
    await expect
      .poll(() => page.locator('tr.deployment').allTextContents(), { timeout: 5000 })
      .toEqual([expect.stringContaining('good/gpt-fast'), expect.stringContaining('bad/gpt-flaky')]);
    expect(await page.evaluate(() => sessionStorage.getItem('agentbox-key'))).toBe(MASTER);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });

  it('shows a served request within a second, without its prompt', async () => {
    // The feed is subscribed once the first state has rendered.
    await expect.poll(() => gw.state.feed.listening, { timeout: 5000 }).toBeGreaterThan(0);
    const r = await chat('fast');
    expect(r.status).toBe(200);
    const served = Date.now();
    const row = page.locator('tr.request', { hasText: 'fast → good/gpt-fast' });
    await row.first().waitFor({ state: 'visible', timeout: 1000 });
    expect(Date.now() - served).toBeLessThan(1000);
    const text = (await row.first().textContent()) ?? '';
    expect(text).toContain('/v1/chat/completions');
    expect(text).toContain('200');
    expect(text).toContain('11 / 7');
    expect(await page.content()).not.toContain('secret prompt text');
  });

  it('shows a deployment cooling down after it fails', async () => {
    for (let i = 0; i < 2; i++) expect((await chat('flaky')).status).toBeGreaterThanOrEqual(500);
    expect(gw.state.cooldowns.remainingMs('bad/gpt-flaky')).toBeGreaterThan(0);
    const row = page.locator('tr.deployment', { hasText: 'bad/gpt-flaky' });
    await expect.poll(() => row.textContent(), { timeout: 3000 }).toMatch(/cooling_down\d+ s/);
    await page.locator('tr.request td.bad').first().waitFor({ timeout: 3000 });
    const shot = process.env.AGENTBOX_UI_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot, fullPage: true });
  });

  it('logged no console errors besides the one 401 that asked for the key', () => {
    const others = consoleErrors.filter((e) => !/status of 401/.test(e));
    expect(others).toEqual([]);
    expect(consoleErrors.length).toBeLessThanOrEqual(1);
  });
});
