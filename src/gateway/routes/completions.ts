import type { Deployment } from '../../config/types.js';
import { mergeUsage, type CanonicalEvent, type CanonicalRequest, type Usage } from '../canonical.js';
import type { ClientDialect, EncodeContext, SseOut } from '../dialects/types.js';
import { GatewayError, toFailure } from '../errors.js';
import { adapterFor } from '../providers/registry.js';
import { dispatch, fallbacksIn, type Dispatched } from '../router/dispatch.js';
import { resolveModel } from '../router/resolve.js';
import { traitRoute } from '../router/trait-routes.js';
import { SSE_HEADERS } from '../upstream/sse.js';
import { visibleTo } from '../usage/keys.js';
import { scrubSecrets } from '../../shared/scrub-secret.js';
import { admitRequest, cachedAnswerHeaders, committed, jsonAnswer, responding } from '../usage/policy.js';
import { usageOf } from '../usage/request-info.js';
import { baseHeaders, sendJson, type RequestContext } from './context.js';
import { parseRequestBody, type RequestBody } from './json-body.js';
import { serialiseDecoded, serialiseEchoing } from '../upstream/byte-form.js';
import { clientMembers } from '../upstream/json-splice.js';
import { StreamTally } from '../usage/stream-estimate.js';
import { lazyPromptTokens, preparePromptTokens } from './prompt-tokens.js';
import { released, routed, routingFor } from './routing-context.js';

/** Chat Completions, Messages and Responses: one path, the dialect decides the wire shapes. */
export async function handleCompletion(ctx: RequestContext, dialect: ClientDialect): Promise<void> {
  // Until a deployment is tried, errors say so: `x-agentbox-attempts: 0`, `x-agentbox-fallbacks: 0`.
  ctx.info.attempts = [];
  ctx.info.fallbacks = 0;
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
  const traits = dialect.traits(body);
  await preparePromptTokens(ctx.body.length, traits.images);
  const promptTokens = lazyPromptTokens(dialect, parsed, ctx.body.length);
  const route = traitRoute(config.routes, model, traits, {
    bodyBytes: ctx.body.length,
    tokens: promptTokens,
  });
  if (route) ctx.info.traitRoute = route.name;
  const { alias, chain } = resolveModel(
    config,
    route?.alias ?? model,
    visibleTo(usageOf(ctx).caller ?? { name: null }),
  );
  ctx.info.alias = alias;
  // Key access, rate limits, the response cache and budgets; settled when the request ends.
  const admission = await admitRequest(ctx, { config, model, alias, chain, body, cacheable: !stream });
  if (admission.cached) {
    ctx.info.deployment = admission.cached.deployment;
    sendJson(ctx, 200, admission.cached.body, cachedAnswerHeaders(ctx));
    return;
  }

  let sent: Deployment | undefined;
  const prompt = (): CanonicalRequest => dialect.decodeRequest(parsed.decoded ? parsed.decoded() : body);
  const routing = await routingFor(ctx, config, alias, body, { traits, promptTokens });
  const result = await dispatch(
    {
      config,
      cooldowns: ctx.state.cooldowns,
      upstream: ctx.upstream,
      adapterFor: (d) => adapterFor(d.provider.type, d.model),
      limits: admission.limits,
      routing,
    },
    {
      dialect,
      body,
      bytesAsChars: parsed.bytesAsChars,
      decoded: parsed.decoded,
      byteForms: parsed.byteForms,
      raw: ctx.body,
      stream,
      chain,
      alias,
      clientHeaders: ctx.req.headers,
      signal: ctx.signal,
      trace: ctx.trace,
      onSend: (d) => (sent = d),
    },
  ).catch(async (e: unknown) => {
    noteFailedAttempts(ctx, e);
    // The client left while an upstream was working on its prompt: the provider bills it anyway.
    if (ctx.signal.aborted && sent) await settleAbandoned(ctx, sent, prompt);
    throw e;
  });
  committed(ctx, result.deployment);
  if (result.deployment.provider.auth === 'client') ctx.state.stats.plan++;
  else ctx.state.stats.metered++;
  routed(ctx, routing, result);
  try {
    await respond(ctx, dialect, result, model, includeUsage, prompt, parsed);
  } finally {
    released(ctx, result);
  }
}

async function respond(
  ctx: RequestContext,
  dialect: ClientDialect,
  result: Dispatched,
  model: string,
  includeUsage: boolean,
  prompt: () => CanonicalRequest,
  parsed: RequestBody,
): Promise<void> {
  ctx.info.deployment = result.deployment.id;
  ctx.info.attempts = result.attempts;
  ctx.info.fallbacks = result.fallbacks;
  if (result.skipped.length > 0) ctx.info.skipped = result.skipped;
  ctx.info.dropped = result.dropped;
  const ectx: EncodeContext = {
    model,
    requestId: ctx.requestId,
    includeUsage,
    created: Math.floor(ctx.started / 1000),
    request: result.canonical,
  };
  // A translated answer echoing the request (Responses: its instructions and tools) sends the
  // client's own bytes for what it echoes unchanged, and the byte forms of the request's strings.
  if (dialect.echoedMembers) ectx.clientJson = clientMembers(ctx.body, parsed.decoded);
  if (result.kind === 'json') {
    ctx.info.usage = result.response.usage;
    const out = result.mode === 'passthrough' ? result.raw : dialect.encodeResponse(result.response, ectx);
    const byteForms = parsed.byteForms?.();
    const text =
      typeof out === 'string'
        ? out
        : dialect.echoedMembers && ectx.clientJson && typeof out === 'object' && out !== null
          ? serialiseEchoing(
              out as Record<string, unknown>,
              byteForms,
              dialect.echoedMembers,
              ectx.clientJson,
            )
          : serialiseDecoded(out, byteForms);
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
  await pipeStream(ctx, dialect, result, ectx, () => result.canonical ?? prompt());
}

/** A request abandoned before the commit point is settled at its counted prompt on the deployment asked. */
async function settleAbandoned(
  ctx: RequestContext,
  d: Deployment,
  prompt: () => CanonicalRequest,
): Promise<void> {
  const zero: Usage = { inputTokens: 0, outputTokens: 0 };
  const settled = await new StreamTally().settle(zero, false, prompt, ctx.body.length, d.model);
  committed(ctx, d);
  ctx.info.deployment = d.id;
  ctx.info.usage = settled.usage;
  usageOf(ctx).estimated = true;
}

/** A request that failed in the router: its error response and log line report the attempts made. */
function noteFailedAttempts(ctx: RequestContext, e: unknown): void {
  const attempts = e instanceof GatewayError ? e.attempts : undefined;
  if (!attempts?.length) return;
  ctx.info.attempts = [...attempts];
  ctx.info.fallbacks = fallbacksIn(attempts);
  ctx.info.deployment = attempts[attempts.length - 1].deployment;
}

/** After the commit point: stream to the client, tapping usage; a cut upstream ends in an error event. */
async function pipeStream(
  ctx: RequestContext,
  dialect: ClientDialect,
  result: Extract<Dispatched, { kind: 'stream' }>,
  ectx: EncodeContext,
  prompt: () => CanonicalRequest,
): Promise<void> {
  const { res } = ctx;
  const tally = new StreamTally();
  const { reader } = result;
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let sawStop = false;
  let ended = false;
  const encoder = dialect.streamEncoder(ectx);
  const passthrough = result.mode === 'passthrough';
  const secret = result.deployment.provider.apiKey;
  const drop = passthrough && !ectx.includeUsage ? dialect.dropFromPassthrough?.bind(dialect) : undefined;

  res.writeHead(200, Object.assign(baseHeaders(ctx), SSE_HEADERS)); // not a spread: NO_SPREAD_NOTE, router/dispatch.ts
  const write = async (chunk: string | Buffer): Promise<void> => {
    if (chunk.length === 0 || res.destroyed) return;
    if (!res.write(chunk))
      await new Promise<void>((r) => (res.destroyed ? r() : res.once('drain', r).once('close', r)));
  };
  const see = (events: CanonicalEvent[]): SseOut => {
    let text = '';
    // Bytes from the encoder (a Response's echo of the client's own bytes) and the text around
    // them, joined once per chunk.
    let parts: Buffer[] | undefined;
    for (const ev of events) {
      if (ended) break;
      tally.see(ev);
      if (ev.type === 'usage') mergeUsage(usage, ev.usage);
      else if (ev.type === 'start' && ev.usage) mergeUsage(usage, ev.usage);
      else if (ev.type === 'stop') sawStop = true;
      else if (ev.type === 'end') ended = true;
      if (passthrough || ev.type === 'error') continue;
      const out = encoder.event(ev);
      if (typeof out === 'string') text += out;
      else {
        parts ??= [];
        if (text.length > 0) parts.push(Buffer.from(text, 'utf8'));
        parts.push(out);
        text = '';
      }
    }
    if (parts === undefined) return text;
    if (text.length > 0) parts.push(Buffer.from(text, 'utf8'));
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  };
  const forward = async (
    raw: Buffer,
    sse: typeof reader.headSse,
    events: CanonicalEvent[],
    unparsed: typeof reader.headSse = [],
  ): Promise<string | null> => {
    const midError = events.find((e) => e.type === 'error');
    const text = see(events);
    if (unparsed.length > 0) tally.later(unparsed);
    if (passthrough) {
      let out: string | Buffer = raw;
      // Chunks are re-framed only when they hold an event to leave out; the rest go as they came.
      if (drop && sse.some(drop)) {
        out = '';
        for (const ev of sse)
          if (!drop(ev)) out += `${ev.event ? `event: ${ev.event}\n` : ''}data: ${ev.data}\n\n`;
      }
      // An upstream's error event may echo its key: the bytes go out without it.
      await write(midError ? scrubBytes(out, secret) : out);
    } else await write(text);
    return midError && midError.type === 'error' ? scrubSecrets(midError.message, [secret]) : null;
  };

  let failure: GatewayError | null = null;
  // A passthrough upstream's own error event has already reached the client in its dialect.
  let forwardedError = false;
  try {
    const headRaw = Buffer.concat(reader.headRaw);
    const mid = await forward(headRaw, reader.headSse, reader.headEvents, reader.headUnparsed);
    if (mid) {
      failure = new GatewayError('upstream_error', mid);
      forwardedError = passthrough;
    }
    while (!failure && !ended && !ctx.signal.aborted) {
      const step = await reader.next();
      if (step === null) break;
      const m = await forward(step.raw, step.sse, step.events, step.unparsed);
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
      `upstream stream failed: ${scrubSecrets(f.message, [secret])}`,
    );
  } finally {
    // A stream that ended properly is drained below, so its connection goes back to the pool;
    // destroying it here would abort the request and throw the keep-alive connection away.
    if (!(ended && !failure)) reader.close();
  }
  // Without the upstream's final usage the provider still bills the prompt and what it generated.
  const completed = !failure && !ctx.signal.aborted && (ended || sawStop);
  const settled = await tally.settle(
    usage,
    completed,
    prompt,
    ctx.body.length,
    result.deployment.model,
    (evs) => reader.parseLater(evs),
  );
  ctx.info.usage = settled.usage;
  if (settled.estimated) usageOf(ctx).estimated = true;
  if (failure) {
    ctx.info.error = failure.message;
    if (!res.destroyed && !forwardedError)
      await write((passthrough ? dialect.streamEncoder(ectx) : encoder).error(failure));
  }
  res.end();
  if (ended && !failure) await drainUpstream(reader);
}

/** Raw bytes (or latin1-safe text) without the secret; ASCII keys keep byte offsets meaningful. */
function scrubBytes(out: string | Buffer, secret: string | undefined): string | Buffer {
  if (!secret) return out;
  if (typeof out === 'string') return scrubSecrets(out, [secret]);
  const text = out.toString('latin1');
  const clean = scrubSecrets(text, [secret]);
  return clean === text ? out : Buffer.from(clean, 'latin1');
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
