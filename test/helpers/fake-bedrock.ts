import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { awsEvent, awsException, invokeChunk, verifySigV4, type SigV4Check } from './aws-wire.js';

/**
 * A fake Bedrock runtime on 127.0.0.1:0: Converse, ConverseStream, InvokeModel and
 * InvokeModelWithResponseStream under `/model/{id}/…`. Every request's SigV4 signature is checked
 * with the independent verifier in aws-wire.ts (or its Bearer token against `bearer`); a bad one
 * gets AWS's 403. Streams are real event-stream frames, written one by one.
 */
export type BedrockBehaviour =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; name: string; input: unknown }
  /** Converse: a reasoning block (text, then its signature) before the text. */
  | { kind: 'thinking'; thinking: string; text: string }
  | { kind: 'error'; status: number; type: string; message: string }
  /** Stream: cut the connection after `afterFrames` frames, in the middle of the next one. */
  | { kind: 'cut'; afterFrames: number; graceful?: boolean }
  /** Stream: an exception frame after the first content. */
  | { kind: 'exception'; type: string; message: string };

export interface BedrockRecord {
  path: string;
  model: string;
  op: 'converse' | 'converse-stream' | 'invoke' | 'invoke-with-response-stream';
  headers: IncomingHttpHeaders;
  body: Record<string, any>;
  sig: SigV4Check | { ok: true; bearer: string };
}

export interface FakeBedrock {
  url: string;
  requests: BedrockRecord[];
  setBehaviours(...b: BedrockBehaviour[]): void;
  close(): Promise<void>;
}

export async function startFakeBedrock(opts: {
  secrets?: Record<string, string>;
  bearer?: string;
}): Promise<FakeBedrock> {
  let queue: BedrockBehaviour[] = [{ kind: 'text', text: 'hello from bedrock' }];
  const requests: BedrockRecord[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = req.url ?? '';
      const m = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/.exec(
        url.split('?')[0],
      );
      if (!m) return json(res, 404, { message: `no route ${url}` }, 'UnknownOperationException');
      const auth = String(req.headers.authorization ?? '');
      const sig: BedrockRecord['sig'] = auth.startsWith('Bearer ')
        ? auth.slice(7) === opts.bearer
          ? { ok: true, bearer: auth.slice(7) }
          : { ok: false, why: 'bad bearer token' }
        : verifySigV4(req.method ?? 'POST', url, req.headers, raw, opts.secrets ?? {});
      const rec: BedrockRecord = {
        path: url,
        model: decodeURIComponent(m[1]),
        op: m[2] as BedrockRecord['op'],
        headers: req.headers,
        body: JSON.parse(raw.toString('utf8') || '{}'),
        sig,
      };
      requests.push(rec);
      if (!sig.ok)
        return json(
          res,
          403,
          { message: `The request signature we calculated does not match (${'why' in sig ? sig.why : ''})` },
          'InvalidSignatureException',
        );
      const b = queue.length > 1 ? queue.shift()! : queue[0];
      if (b.kind === 'error') return json(res, b.status, { message: b.message }, b.type);
      const invoke = rec.op.startsWith('invoke');
      if (!rec.op.endsWith('stream')) return json(res, 200, invoke ? messagesBody(rec, b) : converseBody(b));
      res.writeHead(200, {
        'content-type': 'application/vnd.amazon.eventstream',
        'x-amzn-requestid': 'req-1',
      });
      const frames = invoke ? invokeFrames(rec, b) : converseFrames(b);
      void writeFrames(res, frames, b);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setBehaviours: (...b) => (queue = b),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  if (errorType) h['x-amzn-errortype'] = `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`;
  res.writeHead(status, h);
  res.end(JSON.stringify(body));
}

async function writeFrames(res: ServerResponse, frames: Buffer[], b: BedrockBehaviour): Promise<void> {
  for (let i = 0; i < frames.length; i++) {
    if (b.kind === 'cut' && i === b.afterFrames) {
      res.write(frames[i].subarray(0, Math.floor(frames[i].length / 2)));
      await new Promise((r) => setTimeout(r, 20));
      if (b.graceful) res.end();
      else res.destroy();
      return;
    }
    if (b.kind === 'exception' && i === 3) {
      res.end(awsException(b.type, b.message));
      return;
    }
    res.write(frames[i]);
    await new Promise((r) => setImmediate(r));
  }
  res.end();
}

const USAGE = {
  inputTokens: 12,
  outputTokens: 5,
  totalTokens: 17,
  cacheReadInputTokens: 3,
  cacheWriteInputTokens: 0,
};

function converseBody(b: BedrockBehaviour): unknown {
  const content =
    b.kind === 'thinking'
      ? [
          { reasoningContent: { reasoningText: { text: b.thinking, signature: 'sig-converse' } } },
          { text: b.text },
        ]
      : b.kind === 'tool'
        ? [{ toolUse: { toolUseId: 'tooluse_1', name: b.name, input: b.input } }]
        : [{ text: textOf(b) }];
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: b.kind === 'tool' ? 'tool_use' : 'end_turn',
    usage: USAGE,
    metrics: { latencyMs: 10 },
  };
}

function textOf(b: BedrockBehaviour): string {
  return b.kind === 'text' || b.kind === 'thinking' ? b.text : 'partial answer that goes on';
}

function converseFrames(b: BedrockBehaviour): Buffer[] {
  const out = [awsEvent('messageStart', { role: 'assistant' })];
  if (b.kind === 'tool') {
    out.push(
      awsEvent('contentBlockStart', {
        contentBlockIndex: 0,
        start: { toolUse: { toolUseId: 'tooluse_1', name: b.name } },
      }),
    );
    const args = JSON.stringify(b.input);
    out.push(
      awsEvent('contentBlockDelta', {
        contentBlockIndex: 0,
        delta: { toolUse: { input: args.slice(0, 5) } },
      }),
    );
    out.push(
      awsEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: args.slice(5) } } }),
    );
    out.push(awsEvent('contentBlockStop', { contentBlockIndex: 0 }));
  } else if (b.kind === 'thinking') {
    const r = (delta: unknown) =>
      awsEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: delta } });
    out.push(r({ text: b.thinking }), r({ signature: 'sig-converse' }));
    out.push(awsEvent('contentBlockStop', { contentBlockIndex: 0 }));
    out.push(awsEvent('contentBlockDelta', { contentBlockIndex: 1, delta: { text: b.text } }));
    out.push(awsEvent('contentBlockStop', { contentBlockIndex: 1 }));
  } else {
    const text = textOf(b);
    const half = Math.ceil(text.length / 2);
    out.push(awsEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text: text.slice(0, half) } }));
    out.push(awsEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text: text.slice(half) } }));
    out.push(awsEvent('contentBlockStop', { contentBlockIndex: 0 }));
  }
  out.push(awsEvent('messageStop', { stopReason: b.kind === 'tool' ? 'tool_use' : 'end_turn' }));
  out.push(awsEvent('metadata', { usage: USAGE, metrics: { latencyMs: 10 } }));
  return out;
}

function messagesBody(rec: BedrockRecord, b: BedrockBehaviour): unknown {
  const content =
    b.kind === 'tool'
      ? [{ type: 'tool_use', id: 'toolu_1', name: b.name, input: b.input }]
      : [{ type: 'text', text: textOf(b) }];
  return {
    id: 'msg_bdrk_1',
    type: 'message',
    role: 'assistant',
    model: rec.model,
    content,
    stop_reason: b.kind === 'tool' ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 5, cache_read_input_tokens: 3, cache_creation_input_tokens: 0 },
  };
}

function invokeFrames(rec: BedrockRecord, b: BedrockBehaviour): Buffer[] {
  const text = textOf(b);
  const half = Math.ceil(text.length / 2);
  const events: unknown[] = [
    {
      type: 'message_start',
      message: {
        id: 'msg_bdrk_1',
        type: 'message',
        role: 'assistant',
        model: rec.model,
        content: [],
        stop_reason: null,
        usage: { input_tokens: 12, output_tokens: 1 },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: text.slice(0, half) } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: text.slice(half) } },
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 5 },
    },
    {
      type: 'message_stop',
      'amazon-bedrock-invocationMetrics': { inputTokenCount: 12, outputTokenCount: 5 },
    },
  ];
  return events.map(invokeChunk);
}
