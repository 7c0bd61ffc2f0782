#!/usr/bin/env node
// A cheap fake LLM upstream for the benchmark: node:http, bodies serialised once at start, no JSON
// parsing of requests. Routes by path (`…/chat/completions`, `…/messages`) and by a byte search for
// `"stream":true` in the request body. Run alone: `node bench/fake-upstream.mjs [--port N]`
// prints `{"port":N}` and serves on 127.0.0.1 until SIGTERM/SIGINT.
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MODEL = 'bench-model';
const CREATED = 1_700_000_000;
const WORDS = ['Hello', ' there', '!', ' This', ' is', ' a', ' benchmark', ' reply', ' from', ' upstream.'];
const USAGE = {
  prompt_tokens: 21,
  completion_tokens: 10,
  total_tokens: 31,
  prompt_tokens_details: { cached_tokens: 0 },
};

function chatJson() {
  return {
    id: 'chatcmpl-bench0001',
    object: 'chat.completion',
    created: CREATED,
    model: MODEL,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: WORDS.join('') },
        finish_reason: 'stop',
        logprobs: null,
      },
    ],
    usage: USAGE,
  };
}

/** 14 events: role, 10 content deltas, finish, usage, [DONE]. */
function chatSse() {
  const chunk = (delta, finish = null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-bench0001', object: 'chat.completion.chunk', created: CREATED, model: MODEL, system_fingerprint: 'fp_bench', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  const out = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const w of WORDS) out.push(chunk({ content: w }));
  out.push(chunk({}, 'stop'));
  out.push(
    `data: ${JSON.stringify({ id: 'chatcmpl-bench0001', object: 'chat.completion.chunk', created: CREATED, model: MODEL, system_fingerprint: 'fp_bench', choices: [], usage: USAGE })}\n\n`,
  );
  out.push('data: [DONE]\n\n');
  return out.join('');
}

function messagesJson() {
  return {
    id: 'msg_bench0001',
    type: 'message',
    role: 'assistant',
    model: MODEL,
    content: [{ type: 'text', text: WORDS.join('') }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: 21,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 10,
    },
  };
}

/** 14 events: message_start, content_block_start, ping, 8 text deltas, content_block_stop, message_delta, message_stop. */
function messagesSse() {
  const ev = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const text = WORDS.join('');
  const pieces = [];
  for (let i = 0; i < 8; i++)
    pieces.push(text.slice(Math.floor((i * text.length) / 8), Math.floor(((i + 1) * text.length) / 8)));
  return [
    ev('message_start', {
      message: {
        id: 'msg_bench0001',
        type: 'message',
        role: 'assistant',
        model: MODEL,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 21,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
        },
      },
    }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('ping', {}),
    ...pieces.map((p) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } })),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 10 },
    }),
    ev('message_stop', {}),
  ].join('');
}

/** The pre-serialised replies, by dialect and mode. */
export function replies() {
  return {
    chat: { json: Buffer.from(JSON.stringify(chatJson())), sse: Buffer.from(chatSse()) },
    messages: { json: Buffer.from(JSON.stringify(messagesJson())), sse: Buffer.from(messagesSse()) },
  };
}

const STREAM_TRUE = Buffer.from('"stream":true');
const TAIL = STREAM_TRUE.length - 1;

/** True when `"stream":true` occurs in `chunk` or straddles `prev`'s tail and `chunk`'s head. */
export function seesStream(prev, chunk) {
  if (chunk.indexOf(STREAM_TRUE) !== -1) return true;
  if (!prev) return false;
  const joint = Buffer.concat([prev.subarray(Math.max(0, prev.length - TAIL)), chunk.subarray(0, TAIL)]);
  return joint.indexOf(STREAM_TRUE) !== -1;
}

/** Start the fake upstream on 127.0.0.1:`port` (0 = any); resolves with the server, its port and a request counter. */
export async function startFakeUpstream(port = 0) {
  const r = replies();
  const jsonHeaders = (len) => ({ 'content-type': 'application/json', 'content-length': len });
  const sseHeaders = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
  const stats = { requests: 0, connections: 0 };
  const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
    const q = req.url?.indexOf('?') ?? -1;
    const url = q === -1 ? (req.url ?? '') : req.url.slice(0, q);
    const dialect = url.endsWith('/chat/completions')
      ? r.chat
      : url.endsWith('/messages')
        ? r.messages
        : undefined;
    if (req.method === 'GET' && url === '/__stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stats));
      return;
    }
    let stream = false;
    let prev;
    req.on('data', (c) => {
      if (!stream) stream = seesStream(prev, c);
      prev = c;
    });
    req.on('end', () => {
      stats.requests++;
      if (!dialect || req.method !== 'POST') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
        return;
      }
      if (stream) {
        res.writeHead(200, sseHeaders);
        res.end(dialect.sse);
      } else {
        res.writeHead(200, jsonHeaders(dialect.json.length));
        res.end(dialect.json);
      }
    });
  });
  server.on('connection', () => stats.connections++);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { server, port: server.address().port, stats };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const i = process.argv.indexOf('--port');
  const { server, port } = await startFakeUpstream(i === -1 ? 0 : Number(process.argv[i + 1]));
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  const stop = () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
