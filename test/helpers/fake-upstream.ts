import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { thinkingRefusal } from './anthropic-thinking-rules.js';

/**
 * A fake provider on 127.0.0.1:0 that speaks OpenAI Chat (`openai`) or Anthropic Messages
 * (`anthropic`) and misbehaves on purpose. Each request takes the next behaviour from the queue
 * (the last one repeats); every request is recorded.
 */
export type Behaviour =
  | {
      kind: 'ok';
      text?: string;
      tool?: { name: string; args: Record<string, unknown> };
      usage?: Partial<FakeUsage>;
      /** Anthropic format: a thinking block (and a redacted one) before the answer, as Claude sends them. */
      thinking?: FakeThinking;
    }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'reset' }
  | { kind: 'stall-headers'; ms: number }
  | { kind: 'stall-mid'; afterEvents: number; ms: number }
  | { kind: 'cut'; afterEvents: number }
  | { kind: 'malformed' }
  | { kind: 'context' }
  | { kind: 'error-event' }
  /** A complete stream whose HTTP body ends `ms` after its last event (as real upstreams' chunked ends do). */
  | { kind: 'linger'; ms: number }
  /** A normal response, slowly: each stream event `ms` apart (a JSON body after `ms`). */
  | { kind: 'slow'; ms: number }
  /** Chooses the behaviour from the request itself (e.g. text once a tool result came back). */
  | { kind: 'decide'; decide: (req: Recorded) => Behaviour }
  /** Exactly these bytes, chunk by chunk (`gapMs` apart); `cut` destroys the socket after the last one. */
  | {
      kind: 'raw';
      status?: number;
      headers?: Record<string, string>;
      chunks: Array<string | Buffer>;
      gapMs?: number;
      cut?: boolean;
    };

export interface FakeThinking {
  text: string;
  signature: string;
  redacted?: string;
}

export interface FakeUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** The request body exactly as received. */
  raw: string;
}

export interface FakeUpstream {
  url: string;
  /** api_base to put in a config: `<url>/v1`. */
  apiBase: string;
  requests: Recorded[];
  /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests). */
  readonly connections: number;
  queue: Behaviour[];
  setBehaviours(...b: Behaviour[]): void;
  /**
   * Anthropic format: check thinking history as Anthropic does, answering its 400s: a thinking
   * block's signature must be one this fake issued, and with thinking enabled (a budget; adaptive
   * thinking has no such rule) the ongoing tool round's assistant turn must lead with thinking.
   */
  checkThinking: boolean;
  close(): Promise<void>;
}

export async function startFakeUpstream(
  format: 'openai' | 'anthropic',
  ...initial: Behaviour[]
): Promise<FakeUpstream> {
  const requests: Recorded[] = [];
  let queue: Behaviour[] = initial.length ? [...initial] : [{ kind: 'ok' }];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const issued = new Set<string>();
  const state = { checkThinking: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: any = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // keep the raw text
      }
      const recorded: Recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        raw: text,
      };
      requests.push(recorded);
      let b = queue.length > 1 ? queue.shift()! : queue[0];
      for (let i = 0; i < 5 && b.kind === 'decide'; i++) b = b.decide(recorded);
      const refusal = format === 'anthropic' && state.checkThinking ? thinkingRefusal(body, issued) : null;
      if (refusal)
        b = {
          kind: 'status',
          status: 400,
          body: { type: 'error', error: { type: 'invalid_request_error', message: refusal } },
        };
      if (b.kind === 'ok' && b.thinking) issued.add(b.thinking.signature);
      respond(format, b, req, res, body, timers);
    });
  });
  let connections = 0;
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiBase: `${url}/v1`,
    requests,
    get connections() {
      return connections;
    },
    get queue() {
      return queue;
    },
    setBehaviours(...b) {
      queue = b;
    },
    get checkThinking() {
      return state.checkThinking;
    },
    set checkThinking(v: boolean) {
      state.checkThinking = v;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  } as FakeUpstream;
}

function respond(
  format: 'openai' | 'anthropic',
  b: Behaviour,
  req: IncomingMessage,
  res: ServerResponse,
  body: any,
  timers: Set<NodeJS.Timeout>,
): void {
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  switch (b.kind) {
    case 'reset':
      req.socket.destroy();
      return;
    case 'stall-headers':
      later(b.ms, () => res.destroyed || res.writeHead(500).end());
      return;
    case 'status': {
      res.writeHead(b.status, { 'content-type': 'application/json', ...b.headers });
      res.end(JSON.stringify(b.body ?? errorBody(format, b.status, `fake upstream says ${b.status}`)));
      return;
    }
    case 'context': {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          format === 'openai'
            ? {
                error: {
                  message:
                    "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
                  type: 'invalid_request_error',
                  param: 'messages',
                  code: 'context_length_exceeded',
                },
              }
            : {
                type: 'error',
                error: {
                  type: 'invalid_request_error',
                  message: 'prompt is too long: 210000 tokens > 200000 maximum',
                },
              },
        ),
      );
      return;
    }
    case 'raw': {
      res.writeHead(b.status ?? 200, b.headers ?? { 'content-type': 'text/event-stream' });
      let i = 0;
      const next = (): void => {
        if (res.destroyed) return;
        if (i < b.chunks.length) {
          res.write(b.chunks[i++]);
          later(b.gapMs ?? 5, next);
        } else if (b.cut) req.socket.destroy();
        else res.end();
      };
      next();
      return;
    }
    case 'malformed':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "x", "choices": [');
      return;
  }
  const stream = body?.stream === true;
  const model = String(body?.model ?? 'fake');
  const ok = b.kind === 'ok' ? b : { kind: 'ok' as const };
  const usage: FakeUsage = { input: 11, output: 7, cacheRead: 0, cacheWrite: 0, ...ok.usage };
  const text = ok.text ?? 'Hello from the fake upstream.';
  if (!stream && b.kind === 'slow') {
    later(b.ms, () => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          format === 'openai'
            ? openaiJson(model, text, undefined, usage)
            : anthropicJson(model, text, undefined, usage),
        ),
      );
    });
    return;
  }
  if (!stream) {
    if (req.url?.split('?')[0].endsWith('/count_tokens')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ input_tokens: 42 }));
      return;
    }
    if (req.url?.split('?')[0].endsWith('/embeddings')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      const vec = [0.25, -0.5, 0.125];
      const embedding =
        body.encoding_format === 'base64'
          ? Buffer.from(new Float32Array(vec).buffer).toString('base64')
          : vec;
      res.end(
        JSON.stringify({
          object: 'list',
          data: inputs.map((_: unknown, index: number) => ({ object: 'embedding', index, embedding })),
          model,
          usage: { prompt_tokens: 4, total_tokens: 4 },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        format === 'openai'
          ? openaiJson(model, text, ok.tool, usage)
          : anthropicJson(model, text, ok.tool, usage, ok.thinking),
      ),
    );
    return;
  }
  const events =
    format === 'openai'
      ? openaiEvents(model, text, ok.tool, usage)
      : anthropicEvents(model, text, ok.tool, usage, ok.thinking);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (b.kind === 'slow') {
    let i = 0;
    const next = (): void => {
      if (res.destroyed) return;
      if (i >= events.length) {
        res.end();
        return;
      }
      res.write(events[i++]);
      later(b.ms, next);
    };
    next();
    return;
  }
  if (b.kind === 'error-event') {
    res.write(events[0]);
    res.end(
      format === 'openai'
        ? `data: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })}\n\n`
        : `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`,
    );
    return;
  }
  const stopAt = b.kind === 'cut' || b.kind === 'stall-mid' ? b.afterEvents : events.length;
  for (let i = 0; i < Math.min(stopAt, events.length); i++) res.write(events[i]);
  if (b.kind === 'cut') {
    later(20, () => req.socket.destroy());
    return;
  }
  if (b.kind === 'stall-mid') {
    later(b.ms, () => req.socket.destroy());
    return;
  }
  if (b.kind === 'linger') {
    later(b.ms, () => res.end());
    return;
  }
  res.end();
}

function errorBody(format: 'openai' | 'anthropic', status: number, message: string): unknown {
  if (format === 'openai')
    return {
      error: { message, type: status === 429 ? 'rate_limit_error' : 'server_error', param: null, code: null },
    };
  return { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } };
}

function openaiJson(
  model: string,
  text: string,
  tool: { name: string; args: unknown } | undefined,
  u: FakeUsage,
): unknown {
  return {
    id: 'chatcmpl-fake1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [
      {
        index: 0,
        message: tool
          ? {
              role: 'assistant',
              content: null,
              refusal: null,
              tool_calls: [
                {
                  id: 'call_fake1',
                  type: 'function',
                  function: { name: tool.name, arguments: JSON.stringify(tool.args) },
                },
              ],
            }
          : { role: 'assistant', content: text, refusal: null },
        finish_reason: tool ? 'tool_calls' : 'stop',
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: u.input + u.cacheRead,
      completion_tokens: u.output,
      total_tokens: u.input + u.cacheRead + u.output,
      prompt_tokens_details: { cached_tokens: u.cacheRead },
    },
  };
}

function openaiEvents(
  model: string,
  text: string,
  tool: { name: string; args: unknown } | undefined,
  u: FakeUsage,
): string[] {
  const chunk = (delta: unknown, finish: string | null = null): string =>
    `data: ${JSON.stringify({ id: 'chatcmpl-fake1', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
  const out = [chunk({ role: 'assistant', content: '' })];
  if (tool) {
    const args = JSON.stringify(tool.args);
    out.push(
      chunk({
        tool_calls: [
          { index: 0, id: 'call_fake1', type: 'function', function: { name: tool.name, arguments: '' } },
        ],
      }),
    );
    out.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, 5) } }] }));
    out.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(5) } }] }));
    out.push(chunk({}, 'tool_calls'));
  } else {
    for (const piece of text.match(/.{1,6}/gs) ?? []) out.push(chunk({ content: piece }));
    out.push(chunk({}, 'stop'));
  }
  out.push(
    `data: ${JSON.stringify({ id: 'chatcmpl-fake1', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [], usage: { prompt_tokens: u.input + u.cacheRead, completion_tokens: u.output, total_tokens: u.input + u.cacheRead + u.output, prompt_tokens_details: { cached_tokens: u.cacheRead } } })}\n\n`,
  );
  out.push('data: [DONE]\n\n');
  return out;
}

function anthropicJson(
  model: string,
  text: string,
  tool: { name: string; args: unknown } | undefined,
  u: FakeUsage,
  thinking?: FakeThinking,
): unknown {
  const thought = thinking
    ? [
        { type: 'thinking', thinking: thinking.text, signature: thinking.signature },
        ...(thinking.redacted ? [{ type: 'redacted_thinking', data: thinking.redacted }] : []),
      ]
    : [];
  return {
    id: 'msg_fake1',
    type: 'message',
    role: 'assistant',
    model,
    content: [
      ...thought,
      ...(tool
        ? [{ type: 'tool_use', id: 'toolu_fake1', name: tool.name, input: tool.args }]
        : [{ type: 'text', text }]),
    ],
    stop_reason: tool ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: u.input,
      output_tokens: u.output,
      cache_read_input_tokens: u.cacheRead,
      cache_creation_input_tokens: u.cacheWrite,
    },
  };
}

function anthropicEvents(
  model: string,
  text: string,
  tool: { name: string; args: unknown } | undefined,
  u: FakeUsage,
  thinking?: FakeThinking,
): string[] {
  const ev = (type: string, data: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const out = [
    ev('message_start', {
      message: {
        id: 'msg_fake1',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: u.input,
          output_tokens: 1,
          cache_read_input_tokens: u.cacheRead,
          cache_creation_input_tokens: u.cacheWrite,
        },
      },
    }),
  ];
  let n = 0;
  if (thinking) {
    out.push(
      ev('content_block_start', {
        index: n,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      }),
    );
    out.push(
      ev('content_block_delta', { index: n, delta: { type: 'thinking_delta', thinking: thinking.text } }),
    );
    out.push(
      ev('content_block_delta', {
        index: n,
        delta: { type: 'signature_delta', signature: thinking.signature },
      }),
    );
    out.push(ev('content_block_stop', { index: n++ }));
    if (thinking.redacted) {
      out.push(
        ev('content_block_start', {
          index: n,
          content_block: { type: 'redacted_thinking', data: thinking.redacted },
        }),
      );
      out.push(ev('content_block_stop', { index: n++ }));
    }
  }
  if (tool) {
    const args = JSON.stringify(tool.args);
    out.push(
      ev('content_block_start', {
        index: n,
        content_block: { type: 'tool_use', id: 'toolu_fake1', name: tool.name, input: {} },
      }),
    );
    out.push(
      ev('content_block_delta', {
        index: n,
        delta: { type: 'input_json_delta', partial_json: args.slice(0, 5) },
      }),
    );
    out.push(
      ev('content_block_delta', {
        index: n,
        delta: { type: 'input_json_delta', partial_json: args.slice(5) },
      }),
    );
    out.push(ev('content_block_stop', { index: n }));
  } else {
    out.push(ev('content_block_start', { index: n, content_block: { type: 'text', text: '' } }));
    for (const piece of text.match(/.{1,6}/gs) ?? [])
      out.push(ev('content_block_delta', { index: n, delta: { type: 'text_delta', text: piece } }));
    out.push(ev('content_block_stop', { index: n }));
  }
  out.push(
    ev('message_delta', {
      delta: { stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: u.output },
    }),
  );
  out.push(ev('message_stop', {}));
  return out;
}
