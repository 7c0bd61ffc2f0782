import { connect } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';

let open: Array<{ close(): Promise<void> } | Gateway> = [];
afterEach(async () => {
  for (const o of open.reverse()) await ('stop' in o ? o.stop(100) : o.close());
  open = [];
});

/** Sends a raw WebSocket upgrade request and returns everything the server wrote before closing. */
function rawUpgrade(port: number, path: string, method = 'GET'): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => {
      sock.write(
        `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
          'Authorization: Bearer client-key\r\n\r\n',
      );
    });
    let out = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no close after upgrade; got ${JSON.stringify(out)}`));
    }, 5000);
    sock.on('data', (d) => (out += d.toString('utf8')));
    sock.on('error', reject);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

describe('WebSocket upgrades on /v1/responses', () => {
  it('are answered 426 with a JSON reason and the connection closed, and HTTP POST still serves', async () => {
    const up = await startFakeUpstream('openai', { kind: 'ok', text: 'over http' });
    const gw = await startTestGateway(
      makeConfig([{ name: 'p', type: 'openai_compatible', apiBase: up.apiBase }], {
        default: [{ provider: 'p', model: 'm' }],
      }),
    );
    open.push(up, gw);
    const port = Number(new URL(gw.url).port);
    for (const path of ['/v1/responses', '/responses', '/v1/responses?x=1']) {
      const text = await rawUpgrade(port, path);
      expect(text.split('\r\n')[0]).toBe('HTTP/1.1 426 Upgrade Required');
      const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
      expect(body.error.code).toBe('upgrade_required');
      expect(body.error.message).toContain('HTTP POST');
      expect(text.toLowerCase()).toContain('connection: close');
    }
    expect(up.requests).toHaveLength(0);
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
    const r = await client.responses.create({ model: 'default', input: 'hi' });
    expect(r.output_text).toBe('over http');
  });
});
