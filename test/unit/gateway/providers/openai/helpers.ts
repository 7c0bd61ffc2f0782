import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CanonicalEvent, CanonicalRequest } from '../../../../../src/gateway/canonical.js';
import type { Deployment, ProviderConfig } from '../../../../../src/config/types.js';
import { SseDecoder, type SseEvent } from '../../../../../src/gateway/upstream/sse.js';

/** Shared by the OpenAI provider and Chat dialect tests. */

export function fixture(name: string): string {
  return readFileSync(
    fileURLToPath(new URL(`../../../../fixtures/openai-chat/${name}`, import.meta.url)),
    'utf8',
  );
}

export function deployment(
  over: Partial<Deployment> = {},
  provider: Partial<ProviderConfig> = {},
): Deployment {
  return {
    id: 'openai/gpt-4o',
    alias: 'default',
    index: 0,
    model: 'gpt-4o',
    provider: {
      name: 'openai',
      type: 'openai',
      apiBase: 'https://api.openai.com/v1',
      apiKey: 'sk-test-provider-key',
      keyState: 'set',
      ...provider,
    },
    ...over,
  };
}

export function request(over: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    model: 'default',
    system: [],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    stream: false,
    ...over,
  };
}

/** Decode SSE bytes cut at the given offsets. */
export function sseEvents(bytes: Buffer, cuts: number[] = []): SseEvent[] {
  const d = new SseDecoder();
  const out: SseEvent[] = [];
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...d.push(bytes.subarray(prev, cut)));
    prev = cut;
  }
  out.push(...d.end());
  return out;
}

export function parseAll(parse: (ev: SseEvent) => CanonicalEvent[], events: SseEvent[]): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (const ev of events) out.push(...parse(ev));
  return out;
}
