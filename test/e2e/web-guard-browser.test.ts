/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

/**
 * A real headless Chromium on a page from another origin tries what a hostile page can do without
 * a preflight, and a DNS-rebound page tries same-origin reads: the fake upstream must see nothing.
 * `*.test` names resolve to 127.0.0.1 inside the browser only (host-resolver-rules).
 */

describe.skipIf(!existsSync(CHROMIUM))(`browser-borne requests (needs ${CHROMIUM})`, () => {
  let up: FakeUpstream;
  let gw: Gateway;
  let pages: Server;
  let pagePort: number;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const statuses: Array<{ url: string; status: number }> = [];
  const chatBody = JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'spend' }] });

  beforeAll(async () => {
    up = await startFakeUpstream('openai');
    const loaded = makeConfig([{ name: 'p', type: 'openai', apiBase: up.apiBase, apiKey: 'sk-provider' }], {
      default: [{ provider: 'p', model: 'm' }],
    });
    gw = await startTestGateway(loaded);
    pages = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>a page</title><iframe name="sink"></iframe>');
    });
    await new Promise<void>((r) => pages.listen(0, '127.0.0.1', r));
    pagePort = (pages.address() as AddressInfo).port;
    gw.state.loaded.config.allowedOrigins = [`http://friend.test:${pagePort}`];
    profile = await mkdtemp(join(tmpdir(), 'agentbox-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        ...CHROMIUM_ARGS,
        '--host-resolver-rules=MAP *.test 127.0.0.1',
        // A rebound page's document did not come from a loopback address: let Chromium's own
        // local-network checks stand aside, so the gateway's are what is tested.
        '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('response', (r) => statuses.push({ url: r.url(), status: r.status() }));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await rm(profile, { recursive: true, force: true });
    await new Promise<void>((r) => pages?.close(() => r()));
    await gw?.stop(100);
    await up?.close();
  });

  beforeEach(() => {
    up.requests.length = 0;
    statuses.length = 0;
  });

  const gwUrl = (): string => `http://127.0.0.1:${gw.server.port}`;

  it('simple cross-origin POSTs (Blob without type, text/plain, multipart, form submit) reach no upstream', async () => {
    await page.goto(`http://evil.test:${pagePort}/`);
    await page.evaluate(
      async ({ url, body }) => {
        const target = `${url}/v1/chat/completions`;
        const send = (init: RequestInit) => fetch(target, { method: 'POST', mode: 'no-cors', ...init });
        await send({ body: new Blob([body]) });
        await send({ body, headers: { 'content-type': 'text/plain; application/json' } });
        const form = new FormData();
        form.append('json', body);
        await send({ body: form });
        await send({
          body: new Blob([body]),
          headers: { 'content-type': 'multipart/form-data; boundary=json' },
        });
        // The classic form trick: enctype text/plain turns name=value into a JSON-looking body.
        const f = document.createElement('form');
        f.method = 'POST';
        f.action = target;
        f.enctype = 'text/plain';
        f.target = 'sink';
        const input = document.createElement('input');
        input.name = body.slice(0, -2) + ', "x": "';
        input.value = '"}';
        f.appendChild(input);
        document.body.appendChild(f);
        const frame = document.querySelector('iframe')!;
        await new Promise<void>((resolve) => {
          frame.addEventListener('load', () => resolve(), { once: true });
          f.submit();
        });
      },
      { url: gwUrl(), body: chatBody },
    );
    const answered = statuses.filter((s) => s.url.startsWith(gwUrl()));
    expect(answered.length).toBeGreaterThanOrEqual(5);
    for (const s of answered) expect(s.status).toBe(403);
    expect(up.requests).toHaveLength(0);
  });

  it('a DNS-rebound page (Host rebind.test) can neither read nor spend, even same-origin', async () => {
    const origin = `http://rebind.test:${gw.server.port}`;
    // The document comes from the attacker; its same-origin requests then reach the gateway.
    await page.route(`${origin}/attack`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>x</title>' }),
    );
    await page.goto(`${origin}/attack`);
    const seen = await page.evaluate(async (body) => {
      const out: Array<{ status: number; text: string }> = [];
      for (const path of ['/v1/models', '/model/info', '/health']) {
        const r = await fetch(path);
        out.push({ status: r.status, text: await r.text() });
      }
      const post = await fetch('/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      out.push({ status: post.status, text: await post.text() });
      return out;
    }, chatBody);
    expect(seen).toHaveLength(4);
    for (const s of seen) {
      expect(s.status).toBe(403);
      expect(s.text).toContain('allowed_hosts');
      expect(s.text).not.toContain('"default"');
    }
    expect(up.requests).toHaveLength(0);
  });

  it('an origin in allowed_origins is served through CORS (so the checks above can tell)', async () => {
    await page.goto(`http://friend.test:${pagePort}/`);
    const r = await page.evaluate(
      async ({ url, body }) => {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        return { status: res.status, json: (await res.json()) as any };
      },
      { url: gwUrl(), body: chatBody },
    );
    expect(r.status).toBe(200);
    expect(r.json.choices[0].message.content).toBeTypeOf('string');
    expect(up.requests).toHaveLength(1);
  });
});
