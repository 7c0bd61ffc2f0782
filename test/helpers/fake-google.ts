import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fake Google upstream on 127.0.0.1:0 that speaks the Gemini API (`/v1beta/models/{m}:…`) or
 * Vertex AI (`/v1/projects/{p}/locations/{l}/publishers/{google,anthropic}/models/{m}:…`) the way
 * Google does: it refuses a wrong `x-goog-api-key` or Bearer token with Google's error envelope,
 * 404s unknown paths, requires `alt=sse` on streams, answers SSE with CRLF framing and no end
 * marker, and misbehaves on purpose. Every request is recorded.
 */
export type GoogleBehaviour =
  | {
      kind: 'ok';
      text?: string;
      thought?: string;
      signature?: string;
      call?: { name: string; args: Record<string, unknown> };
    }
  | { kind: 'status'; status: number; body: unknown }
  /** A stream that stops after its first chunk without a finish reason (or a body cut short). */
  | { kind: 'cut' }
  | { kind: 'error-event' }
  | { kind: 'decide'; decide: (r: GoogleRecorded) => GoogleBehaviour };

export interface GoogleRecorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface FakeGoogle {
  url: string;
  requests: GoogleRecorded[];
  setBehaviours(...b: GoogleBehaviour[]): void;
  /** Vertex mode: accept the Bearer tokens this says yes to; the API key check is skipped then. */
  acceptBearer(ok: (token: string) => boolean): void;
  close(): Promise<void>;
}

export const USAGE = {
  promptTokenCount: 120,
  candidatesTokenCount: 30,
  thoughtsTokenCount: 50,
  cachedContentTokenCount: 100,
  totalTokenCount: 200,
};

const PATH =
  /^\/(?:v1beta|v1)\/(?:projects\/[^/]+\/locations\/[^/]+\/publishers\/(google|anthropic)\/)?models\/([^/:]+):(generateContent|streamGenerateContent|countTokens|batchEmbedContents|rawPredict|streamRawPredict)$/;

export async function startFakeGoogle(opts: { apiKey?: string } = {}): Promise<FakeGoogle> {
  const requests: GoogleRecorded[] = [];
  let queue: GoogleBehaviour[] = [{ kind: 'ok' }];
  let bearer: ((token: string) => boolean) | undefined;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const url = new URL(req.url ?? '/', 'http://x');
      const rec: GoogleRecorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
      };
      requests.push(rec);
      if (bearer !== undefined) {
        const auth = req.headers.authorization ?? '';
        if (!auth.startsWith('Bearer ') || !bearer(auth.slice(7)))
          return error(res, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
      } else if (opts.apiKey !== undefined && req.headers['x-goog-api-key'] !== opts.apiKey) {
        return error(res, 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.');
      }
      const m = PATH.exec(url.pathname);
      if (!m || req.method !== 'POST') return error(res, 404, 'NOT_FOUND', `no such path ${url.pathname}`);
      const [, publisher, model, action] = m;
      if (action === 'countTokens') return json(res, 200, { totalTokens: 77 });
      if (action === 'batchEmbedContents') {
        const reqs = body?.requests;
        if (
          !Array.isArray(reqs) ||
          reqs.some((r: any) => r.model !== `models/${model}` || !r.content?.parts?.[0]?.text)
        )
          return error(res, 400, 'INVALID_ARGUMENT', 'bad batchEmbedContents body');
        return json(res, 200, { embeddings: reqs.map(() => ({ values: [0.25, -0.5, 0.125] })) });
      }
      if (publisher === 'anthropic') return claude(res, model, action === 'streamRawPredict', body);
      if (action === 'streamGenerateContent' && url.searchParams.get('alt') !== 'sse')
        return error(res, 400, 'INVALID_ARGUMENT', 'streams need alt=sse here');
      let b = queue.length > 1 ? queue.shift()! : queue[0];
      for (let i = 0; i < 5 && b.kind === 'decide'; i++) b = b.decide(rec);
      respond(res, b, model, action === 'streamGenerateContent', req);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    setBehaviours: (...b) => (queue = b),
    acceptBearer: (t) => (bearer = t),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

function error(res: ServerResponse, code: number, status: string, message: string): void {
  json(res, code, { error: { code, message, status } });
}

function parts(b: Extract<GoogleBehaviour, { kind: 'ok' }>): any[] {
  const out: any[] = [];
  if (b.thought) out.push({ text: b.thought, thought: true });
  if (b.call)
    out.push({
      functionCall: { name: b.call.name, args: b.call.args },
      thoughtSignature: b.signature ?? 'c2lnLTE=',
    });
  else out.push({ text: b.text ?? 'Hello from fake Gemini.' });
  return out;
}

function respond(
  res: ServerResponse,
  b: GoogleBehaviour,
  model: string,
  stream: boolean,
  req: IncomingMessage,
): void {
  if (b.kind === 'status') return json(res, b.status, b.body);
  const ok = b.kind === 'ok' ? b : { kind: 'ok' as const };
  const all = parts(ok);
  const final = {
    candidates: [{ content: { role: 'model', parts: all }, finishReason: 'STOP', index: 0 }],
    usageMetadata: USAGE,
    modelVersion: model,
    responseId: 'resp-fake-1',
  };
  if (!stream) {
    if (b.kind === 'cut') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"candidates": [');
      setTimeout(() => req.socket.destroy(), 10);
      return;
    }
    return json(res, 200, final);
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const send = (o: unknown): boolean => res.write(`data: ${JSON.stringify(o)}\r\n\r\n`);
  const text = all.find((p) => typeof p.text === 'string' && !p.thought)?.text as string | undefined;
  const head = {
    candidates: [
      {
        content: {
          role: 'model',
          parts: ok.thought ? [{ text: ok.thought, thought: true }] : [{ text: text?.slice(0, 5) ?? '' }],
        },
        index: 0,
      },
    ],
    usageMetadata: { promptTokenCount: 120, totalTokenCount: 120 },
    modelVersion: model,
    responseId: 'resp-fake-1',
  };
  send(head);
  if (b.kind === 'cut') {
    setTimeout(() => res.end(), 10);
    return;
  }
  if (b.kind === 'error-event') {
    send({
      error: {
        code: 503,
        message: 'The model is overloaded. Please try again later.',
        status: 'UNAVAILABLE',
      },
    });
    res.end();
    return;
  }
  const rest = ok.thought ? all.slice(1) : text !== undefined ? [{ text: text.slice(5) }] : all;
  send({
    candidates: [{ content: { role: 'model', parts: rest }, finishReason: 'STOP', index: 0 }],
    usageMetadata: USAGE,
    modelVersion: model,
    responseId: 'resp-fake-1',
  });
  res.end();
}

/** Claude on Vertex: the Messages body without `model`, with `anthropic_version`. */
function claude(res: ServerResponse, model: string, stream: boolean, body: any): void {
  if (body?.anthropic_version !== 'vertex-2023-10-16' || body?.model !== undefined)
    return json(res, 400, {
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: `bad Vertex body: anthropic_version=${body?.anthropic_version} model=${body?.model}`,
      },
    });
  if (!stream)
    return json(res, 200, {
      id: 'msg_vtx1',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: 'Hello from Claude on Vertex.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 9, output_tokens: 6 },
    });
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const ev = (type: string, data: object): void =>
    void res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  ev('message_start', {
    message: {
      id: 'msg_vtx1',
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 9, output_tokens: 1 },
    },
  });
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  ev('content_block_delta', {
    index: 0,
    delta: { type: 'text_delta', text: 'Hello from Claude on Vertex.' },
  });
  ev('content_block_stop', { index: 0 });
  ev('message_delta', {
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 6 },
  });
  ev('message_stop', {});
  res.end();
}
