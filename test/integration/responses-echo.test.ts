import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { makeConfig, startTestGateway } from '../helpers/gateway.js';
import { decodeSse } from '../helpers/sse.js';

/**
 * A Response repeats the request's instructions and tools. Served by a Chat upstream, the answer
 * carries the client's own bytes for what it repeats unchanged (its member order, its escapes),
 * and a serialisation of what it changed; either way the answer means what the echo says.
 */

let oa: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  oa = await startFakeUpstream('openai', { kind: 'ok', text: 'fini — ok' });
  gw = await startTestGateway(
    makeConfig([{ name: 'oai', type: 'openai_compatible', apiBase: oa.apiBase }], {
      chat: [{ provider: 'oai', model: 'gpt-up' }],
    }),
  );
});
afterAll(async () => {
  await gw.stop(100);
  await oa.close();
});

// Members in another order than the gateway writes them; a description with raw UTF-8 and escapes.
const TOOLS_RAW =
  '[{"parameters":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]},' +
  '"strict":false,"description":"Lit un fichier — « tel quel »\\n\\"vite\\"","name":"read","type":"function"}]';
const ESCAPED_TOOLS_RAW = TOOLS_RAW.replace('—', '\\u2014');
const TOOLS_ECHO = [
  {
    type: 'function',
    name: 'read',
    description: 'Lit un fichier — « tel quel »\n"vite"',
    parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
    strict: false,
  },
];
const INSTRUCTIONS = 'Réponds brièvement — en français.';

function body(tools: string, extra = ''): string {
  return (
    `{"model":"chat","instructions":${JSON.stringify(INSTRUCTIONS)},"tools":${tools},` +
    `"input":"Bonjour ✓"${extra}}`
  );
}

async function post(text: string): Promise<{ status: number; text: string }> {
  const res = await request(`${gw.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(text, 'utf8'),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('a Response echoing the request', () => {
  it("carries the client's own bytes of tools and instructions it repeats unchanged", async () => {
    for (const tools of [TOOLS_RAW, ESCAPED_TOOLS_RAW]) {
      const a = await post(body(tools));
      expect(a.status, a.text).toBe(200);
      expect(a.text).toContain(`"tools":${tools}`);
      expect(a.text).toContain(`"instructions":${JSON.stringify(INSTRUCTIONS)}`);
      const json = JSON.parse(a.text) as Record<string, unknown>;
      expect(json.tools).toEqual(TOOLS_ECHO);
      expect(json.instructions).toBe(INSTRUCTIONS);
      expect(json).toMatchObject({ object: 'response', status: 'completed', model: 'chat' });
      expect(JSON.stringify(json.output)).toContain('fini — ok');
      // What went upstream is the translated Chat request, tools included.
      expect(oa.requests.at(-1)!.body.tools[0].function.name).toBe('read');
    }
  });

  it('serialises what the echo changed (a strict tool is echoed as the gateway sends it)', async () => {
    const strict = TOOLS_RAW.replace('"strict":false', '"strict":true');
    const a = await post(body(strict));
    expect(a.status, a.text).toBe(200);
    expect(a.text).not.toContain(strict);
    const json = JSON.parse(a.text) as { tools: unknown[]; instructions: string };
    expect(json.tools).toEqual(TOOLS_ECHO);
    expect(json.instructions).toBe(INSTRUCTIONS);
  });

  it('streams: response.created and response.completed repeat the same, one data line each', async () => {
    // A pretty-printed tools member spans lines: an SSE data line cannot carry it as sent.
    const pretty = JSON.stringify(JSON.parse(TOOLS_RAW), null, 2);
    for (const [tools, own] of [
      [TOOLS_RAW, true],
      [pretty, false],
    ] as const) {
      const a = await post(body(tools, ',"stream":true'));
      expect(a.status, a.text).toBe(200);
      const events = decodeSse(a.text);
      const framed = events.filter((e) => e.event === 'response.created' || e.event === 'response.completed');
      expect(framed.map((e) => e.event)).toEqual(['response.created', 'response.completed']);
      // The text around the client's bytes is UTF-8 too: the upstream's answer arrives whole.
      const deltas = events.filter((e) => e.event === 'response.output_text.delta');
      expect(deltas.map((e) => (JSON.parse(e.data) as { delta: string }).delta).join('')).toBe('fini — ok');
      for (const e of framed) {
        expect(e.data.includes(`"tools":${TOOLS_RAW}`), e.data.slice(0, 200)).toBe(own);
        const r = (JSON.parse(e.data) as { response: { tools: unknown; instructions: string } }).response;
        expect(r.tools).toEqual(TOOLS_ECHO);
        expect(r.instructions).toBe(INSTRUCTIONS);
      }
    }
  });
});
