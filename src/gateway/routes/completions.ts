import { mergeUsage, type CanonicalEvent, type Usage } from '../canonical.js';
import type { ClientDialect, EncodeContext } from '../dialects/types.js';
import { GatewayError, toFailure } from '../errors.js';
import { adapterFor } from '../providers/registry.js';
import { dispatch, type Dispatched } from '../router/dispatch.js';
import { resolveModel } from '../router/resolve.js';
import { SSE_HEADERS } from '../upstream/sse.js';
import { admitRequest, cachedAnswerHeaders, committed, jsonAnswer, responding } from '../usage/policy.js';
import { baseHeaders, sendJson, type RequestContext } from './context.js';
import { parseRequestBody } from './json-body.js';

/** Chat Completions, Messages and Responses: one path, the dialect decides the wire shapes. */
export async function handleCompletion(ctx: RequestContext, dialect: ClientDialect): Promise<void> {
  let parsed = parseRequestBody(ctx.body);
  // Model names are matched as text: a non-ASCII one needs the properly decoded body throughout.
  if (parsed.bytesAsChars && /[\u0080-\uffff]/.test(String(parsed.body.model ?? ''))) {
    const decoded = parsed.decoded();
    parsed = { body: decoded, bytesAsChars: false, decoded: () => decoded };
  }
  const { body } = parsed;
  const { model, stream } = dialect.validate(body);
  const includeUsage =
    (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  ctx.info.model = model;
  ctx.info.stream = stream;
  const config = ctx.state.loaded.config; // pinned for this request
  const { alias, chain } = resolveModel(config, model);
  ctx.info.alias = alias;
  // Key access, rate limits, the response cache and budgets; settled when the request ends.
  const admission = await admitRequest(ctx, { config, model, alias, chain, body, cacheable: !stream });
  if (admission.cached) {
    ctx.info.deployment = admission.cached.deployment;
    sendJson(ctx, 200, admission.cached.body, cachedAnswerHeaders(ctx));
    return;
  }

  const result = await dispatch(
    {
      config,
      cooldowns: ctx.state.cooldowns,
      upstream: ctx.upstream,
      adapterFor: (d) => adapterFor(d.provider.type),
      limits: admission.limits,
    },
    {
      dialect,
      body,
      bytesAsChars: parsed.bytesAsChars,
      decoded: parsed.decoded,
      stream,
      chain,
      alias,
      clientHeaders: ctx.req.headers,
      signal: ctx.signal,
    },
  );
  committed(ctx, result.deployment);
  ctx.info.deployment = result.deployment.id;
  ctx.info.attempts = result.attempts;
  ctx.info.fallbacks = result.fallbacks;
  ctx.info.dropped = result.dropped;
  const ectx: EncodeContext = {
    model,
    requestId: ctx.requestId,
    includeUsage,
    created: Math.floor(ctx.started / 1000),
    request: result.canonical,
  };
  if (result.kind === 'json') {
    ctx.info.usage = result.response.usage;
    const out = result.mode === 'passthrough' ? result.raw : dialect.encodeResponse(result.response, ectx);
    const text = typeof out === 'string' ? out : JSON.stringify(out);
    sendJson(ctx, 200, text, jsonAnswer(ctx, text, ctx.info.usage));
    return;
  }
  responding(ctx);
  if (result.mode === 'translate' && result.canonical) {
    // The tokenizer's tables are large: loaded on the first translated stream, counted on demand.
    const { countTokensLocally } = await import('../usage/count-tokens.js');
    const { canonical } = result;
    ectx.inputTokensEstimate = () => countTokensLocally(canonical, result.deployment.model);
  }
  await pipeStream(ctx, dialect, result, ectx);
}

/** After the commit point: stream to the client, tapping usage; a cut upstream ends in an error event. */
async function pipeStream(
  ctx: RequestContext,
  dialect: ClientDialect,
  result: Extract<Dispatched, { kind: 'stream' }>,
  ectx: EncodeContext,
): Promise<void> {
  const { res } = ctx;
  const { reader } = result;
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let sawStop = false;
  let ended = false;
  const encoder = dialect.streamEncoder(ectx);
  const passthrough = result.mode === 'passthrough';
  const drop = passthrough && !ectx.includeUsage ? dialect.dropFromPassthrough?.bind(dialect) : undefined;

  res.writeHead(200, { ...baseHeaders(ctx), ...SSE_HEADERS });
  const write = async (chunk: string | Buffer): Promise<void> => {
    if (chunk.length === 0 || res.destroyed) return;
    if (!res.write(chunk))
      await new Promise<void>((r) => (res.destroyed ? r() : res.once('drain', r).once('close', r)));
  };
  const see = (events: CanonicalEvent[]): string => {
    let text = '';
    for (const ev of events) {
      if (ended) break;
      if (ev.type === 'usage') mergeUsage(usage, ev.usage);
      else if (ev.type === 'start' && ev.usage) mergeUsage(usage, ev.usage);
      else if (ev.type === 'stop') sawStop = true;
      else if (ev.type === 'end') ended = true;
      if (!passthrough && ev.type !== 'error') text += encoder.event(ev);
    }
    return text;
  };
  const forward = async (
    raw: Buffer,
    sse: typeof reader.headSse,
    events: CanonicalEvent[],
  ): Promise<string | null> => {
    const midError = events.find((e) => e.type === 'error');
    const text = see(events);
    if (passthrough) {
      if (drop) {
        let framed = '';
        for (const ev of sse)
          if (!drop(ev)) framed += `${ev.event ? `event: ${ev.event}\n` : ''}data: ${ev.data}\n\n`;
        await write(framed);
      } else await write(raw);
    } else await write(text);
    return midError && midError.type === 'error' ? midError.message : null;
  };

  let failure: GatewayError | null = null;
  // A passthrough upstream's own error event has already reached the client in its dialect.
  let forwardedError = false;
  try {
    const headRaw = Buffer.concat(reader.headRaw);
    const mid = await forward(headRaw, reader.headSse, reader.headEvents);
    if (mid) {
      failure = new GatewayError('upstream_error', mid);
      forwardedError = passthrough;
    }
    while (!failure && !ended && !ctx.signal.aborted) {
      const step = await reader.next();
      if (step === null) break;
      const m = await forward(step.raw, step.sse, step.events);
      if (m) {
        failure = new GatewayError('upstream_error', m);
        forwardedError = passthrough;
      }
    }
    if (!failure && !ended && !ctx.signal.aborted) {
      if (sawStop) {
        if (!passthrough) await write(encoder.event({ type: 'end' }));
      } else failure = new GatewayError('upstream_error', 'upstream stream ended before completion');
    }
  } catch (e) {
    const f = toFailure(e);
    failure = new GatewayError(
      f.kind === 'timeout' ? 'timeout' : 'upstream_error',
      `upstream stream failed: ${f.message}`,
    );
  } finally {
    // A stream that ended properly is drained below, so its connection goes back to the pool;
    // destroying it here would abort the request and throw the keep-alive connection away.
    if (!(ended && !failure)) reader.close();
  }
  ctx.info.usage = usage;
  if (failure) {
    ctx.info.error = failure.message;
    if (!res.destroyed && !forwardedError)
      await write((passthrough ? dialect.streamEncoder(ectx) : encoder).error(failure));
  }
  res.end();
  if (ended && !failure) await drainUpstream(reader);
}

/** Read what is left of an upstream body after its end marker (bounded), then let it go. */
async function drainUpstream(reader: Extract<Dispatched, { kind: 'stream' }>['reader']): Promise<void> {
  const timer = setTimeout(() => reader.close(), 5000);
  try {
    for (let i = 0; i < 64; i++) if ((await reader.next()) === null) return;
    reader.close();
  } catch {
    // closed by the timer, or the upstream failed after its end marker: nothing left to keep
  } finally {
    clearTimeout(timer);
  }
}
