import type { Deployment, LitellmConfig } from '../../config/types.js';
import type { CanonicalRequest, CanonicalResponse } from '../canonical.js';
import type { ClientDialect } from '../dialects/types.js';
import { GatewayError, type FailureKind, type UpstreamFailure } from '../errors.js';
import type { ProviderAdapter } from '../providers/types.js';
import { serialiseDecoded } from '../upstream/byte-form.js';
import type { Upstream } from '../upstream/http.js';
import type { AttemptTrace } from '../observe/tracing.js';
import { createParamSink, dropsParams } from '../params/sink.js';
import { applyOverrides, overridden } from '../params/overrides.js';
import { reportUnportable } from '../params/unportable.js';
import {
  markAnswer,
  passthroughFor,
  reasoningFamily,
  requestForFamily,
} from '../reasoning-origin/dispatched.js';
import { spliceBody } from '../upstream/json-splice.js';
import { attempt, type Plan, type StreamReader } from './attempt.js';
import { nextCandidate } from './conditions.js';
import type { Cooldowns } from './cooldown.js';
import { decide } from './retry.js';
import { skippedDeployments } from './skipped.js';
import { Skips } from './skips.js';
import type { ClientSignal } from '../client-signal.js';

export interface AttemptRecord {
  deployment: string;
  status: number | null;
  error?: string;
  /** Not tried: it cannot serve this request (the reason is in `error`). */
  skipped?: boolean;
}

/** A deployment's own rpm/tpm limits: one at its limit is skipped like a cooling one. */
export interface DeploymentLimits {
  /** Milliseconds until the deployment is under its limits (0: now), without counting anything. */
  waitMs(d: Deployment): number;
  /** Count one attempt against the deployment's limits right before it is sent; not ok: skip it. */
  acquire(d: Deployment): Promise<{ ok: boolean; waitMs: number }> | { ok: boolean; waitMs: number };
}

/** Strategy and affinity, per request: the order the chain is tried in, and what each attempt did. */
export interface RoutingHooks {
  order(chain: Deployment[]): Deployment[];
  /** Why the deployment cannot serve this request (it is skipped untried), or undefined. */
  cannotServe?(d: Deployment): string | undefined;
  /** An attempt on `d` is about to be sent. */
  begin(d: Deployment): AttemptTrack;
}
export interface AttemptTrack {
  failed(): void;
  /** The attempt reached the commit point; the result is called once when the response has ended. */
  served(): (tokens: number) => void;
}

export interface RouterDeps {
  config: LitellmConfig;
  cooldowns: Cooldowns;
  upstream: Upstream;
  adapterFor(d: Deployment): ProviderAdapter;
  sleep?: (ms: number, signal: ClientSignal) => Promise<void>;
  limits?: DeploymentLimits;
  routing?: RoutingHooks;
}

export interface DispatchRequest {
  dialect: ClientDialect;
  body: Record<string, unknown>;
  /** `body`'s strings hold one char per UTF-8 byte (see routes/json-body.ts): send it back as latin1. */
  bytesAsChars?: boolean;
  /** The body with its strings decoded, for translation; defaults to `body`. */
  decoded?: () => Record<string, unknown>;
  /** The byte forms of `decoded()`'s non-ASCII strings, once it ran (see upstream/byte-form.ts). */
  byteForms?: () => ReadonlyMap<string, string> | undefined;
  /** The client's bytes `body` was parsed from: a large passthrough body is spliced from them. */
  raw?: Buffer;
  stream: boolean;
  chain: Deployment[];
  alias: string;
  clientHeaders: Record<string, string | string[] | undefined>;
  signal: ClientSignal;
  /** Tracing: a child span per attempt, whose traceparent goes upstream. */
  trace?: { attempt(d: Deployment): AttemptTrace };
  /** Called as each attempt is sent (the upstream may bill it even if the client then goes away). */
  onSend?: (d: Deployment) => void;
}

interface Base {
  deployment: Deployment;
  mode: Plan['mode'];
  attempts: AttemptRecord[];
  fallbacks: number;
  /** Deployments of the chain passed over before any attempt, each with why (cooling down, no key, at its limit). */
  skipped: string[];
  canonical?: CanonicalRequest;
  /** Call once when the response has ended, with the tokens it used (live figures of the strategies). */
  release: (tokens: number) => void;
  /** Request parameters left out for this deployment under drop_params (client names). */
  dropped: readonly string[];
}
export type Dispatched =
  | (Base & { kind: 'json'; raw: string; parsed: unknown; response: CanonicalResponse })
  | (Base & { kind: 'stream'; reader: StreamReader });

export const defaultSleep = (ms: number, signal: ClientSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Walk the alias's chain until a deployment answers, retrying and falling back by the table in
 * retry.ts. Resolves at the commit point (a parsed JSON body, or a stream read ahead to its first
 * content event); throws a GatewayError when no deployment could answer.
 */
export async function dispatch(deps: RouterDeps, req: DispatchRequest): Promise<Dispatched> {
  const { config, cooldowns } = deps;
  const sleep = deps.sleep ?? defaultSleep;
  const limits = deps.limits;
  const skips = new Skips(
    deps.routing ? deps.routing.order(req.chain) : req.chain,
    deps.routing?.cannotServe?.bind(deps.routing),
  );
  if (skips.able.length === 0 && skips.all.length > 0) throw cannotServeError(req, skips);
  const candidates = orderCandidates(skips.able, cooldowns, limits && ((d) => limits.waitMs(d) > 0));
  if (candidates.length === 0) throw (limits && atLimit(req, limits)) || noDeployment(req);
  const limitedWaits: number[] = [];

  const attempts: AttemptRecord[] = [];
  const failures: Array<{ d: Deployment; f: UpstreamFailure; mode: Plan['mode'] }> = [];
  let canonical: CanonicalRequest | undefined;

  // Conditional entries (`fallback_on`) are tried only after a failure of their kind.
  // A group none of whose own deployments can serve has failed: its fallbacks for errors follow.
  let after: FailureKind | undefined;
  let ci = nextCandidate(candidates, 0, after);
  if (ci < 0) ci = nextCandidate(candidates, 0, (after = 'server'));
  if (ci < 0) throw noDeployment(req);
  let moves = 0;
  for (; ci >= 0; ci = nextCandidate(candidates, ci + 1, after), moves++) {
    const d = candidates[ci];
    skips.noteBefore(d, attempts);
    const adapter = deps.adapterFor(d);
    const passCodec = adapter.wireFor
      ? adapter.wireFor(req.dialect.name, d)
      : adapter.wires[req.dialect.name];
    const params = createParamSink(d, dropsParams(d, config.dropParams), overridden(d));
    const family = reasoningFamily(adapter, d);
    let plan: Plan;
    if (passCodec) {
      // Deployment values written into a bytes-as-chars body must be ASCII to stay intact.
      const asBytes = req.bytesAsChars === true && isAsciiDeployment(d);
      const source = asBytes || !req.bytesAsChars ? req.body : req.decoded!();
      // Origin marks come off (or the foreign reasoning out) copy-on-write, like every rewrite.
      const copy = passthroughFor({ ...source }, req.dialect, family);
      const sent = withOverrides(passCodec.rewriteForPassthrough(copy, d, params), d, params);
      const spliced =
        req.raw && req.raw.length >= SPLICE_FROM_BYTES
          ? spliceBody(req.raw, source, sent, asBytes ? 'latin1' : 'utf8', PARTS_FROM_BYTES)
          : undefined;
      plan = {
        mode: 'passthrough',
        adapter,
        codec: passCodec,
        body: spliced ? (spliced.length === 1 ? spliced[0]! : spliced) : serialise(sent, asBytes),
      };
    } else {
      canonical ??= req.dialect.decodeRequest(req.decoded ? req.decoded() : req.body);
      const codec = adapter.wires[adapter.native];
      if (!codec)
        throw new GatewayError('api_error', `provider type ${adapter.type} has no ${adapter.native} codec`);
      reportUnportable(canonical, codec.dialect, params);
      plan = {
        mode: 'translate',
        adapter,
        codec,
        body: serialiseDecoded(
          withOverrides(codec.buildRequest(requestForFamily(canonical, family), d, params), d, params),
          req.byteForms?.(),
        ),
        canonical,
      };
    }

    const timeoutMs = (d.timeoutS ?? d.provider.timeoutS ?? config.router.timeoutS) * 1000;
    for (let retries = 0; ; retries++) {
      if (req.signal.aborted)
        throw new GatewayError('api_error', 'client closed the request', { status: 499, attempts });
      if (limits) {
        const gate = await limits.acquire(d);
        if (!gate.ok) {
          limitedWaits.push(gate.waitMs);
          break;
        }
      }
      const span = req.trace?.attempt(d);
      req.onSend?.(d);
      const track = deps.routing?.begin(d);
      const r = await attempt({
        d,
        plan,
        stream: req.stream,
        upstream: deps.upstream,
        clientHeaders: req.clientHeaders,
        signal: req.signal,
        timeoutMs,
        traceparent: span?.traceparent,
        refuseFiltered:
          config.fallbacks.onContentPolicy === true && nextCandidate(candidates, ci + 1, 'server') >= 0,
      });
      span?.end(r.ok ? r.status : r.failure.status || null, r.ok ? undefined : r.failure.message);
      if (r.ok) {
        attempts.push({ deployment: d.id, status: r.status });
        cooldowns.success(d.id);
        const skipped = skippedDeployments(req.chain, candidates, cooldowns);
        const release = track?.served() ?? noRelease;
        const base: Base = {
          deployment: d,
          mode: plan.mode,
          attempts,
          fallbacks: moves,
          skipped,
          canonical,
          release,
          dropped: params.dropped,
        };
        // NO_SPREAD_NOTE: per-request objects are built in place, not as `{ ...a, b }` or
        // `{ ...a, ...b }`: in optimized code V8 (Node 20) gives each such object a hidden class
        // of its own, allocated in the old generation, and every one kept what it points to (here
        // the whole request) alive through the young-generation collections.
        const answer: Dispatched =
          r.kind === 'json'
            ? Object.assign(base, {
                kind: 'json' as const,
                raw: r.raw,
                parsed: r.parsed,
                response: r.response,
              })
            : Object.assign(base, { kind: 'stream' as const, reader: r.reader });
        return markAnswer(answer, req.dialect, family);
      }
      track?.failed();
      const f = r.failure;
      attempts.push({ deployment: d.id, status: f.status, error: f.message });
      failures.push({ d, f, mode: plan.mode });
      if (req.signal.aborted)
        throw new GatewayError('api_error', 'client closed the request', { status: 499, attempts });
      cooldowns.failure(d.id, f, config.router.allowedFails, config.router.cooldownS);
      // With `fallbacks.on_content_policy`, any later entry may answer a content-filter refusal.
      const as: FailureKind =
        f.kind === 'content_policy' && config.fallbacks.onContentPolicy === true ? 'server' : f.kind;
      const next = decide({
        failure: f,
        hasNext: nextCandidate(candidates, ci + 1, as) >= 0,
        retriesOnThis: retries,
        numRetries: config.router.numRetries,
        retryAfterCapS: config.router.retryAfterSeconds,
        toggles: config.fallbacks,
      });
      if (next.action === 'retry') {
        await sleep(next.delayMs, req.signal);
        continue;
      }
      if (next.action === 'fallback') {
        after = as;
        break;
      }
      throw finalError(failures, attempts, req);
    }
  }
  skips.noteBefore(undefined, attempts);
  if (failures.length === 0) throw limitError(req, limitedWaits);
  throw finalError(failures, attempts, req);
}

/** Fallbacks taken by a request that made these attempts: distinct deployments after the first. */
export function fallbacksIn(attempts: readonly AttemptRecord[]): number {
  return Math.max(0, new Set(attempts.map((a) => a.deployment)).size - 1);
}

function cannotServeError(req: DispatchRequest, skips: Skips): GatewayError {
  const why = skips.all.map((s) => `${s.deployment}: ${s.reason}`).join('; ');
  return new GatewayError(
    'invalid_request',
    `no deployment of "${req.alias}" can serve this request: ${why}`,
  );
}

const noRelease = (): void => {};

/** The chain entry's drop:/force: on the body about to be sent; what it dropped joins the list. */
function withOverrides(
  body: Record<string, unknown>,
  d: Deployment,
  params: { dropped: string[] },
): Record<string, unknown> {
  for (const k of applyOverrides(body, d)) if (!params.dropped.includes(k)) params.dropped.push(k);
  return body;
}

const NON_ASCII = /[\u0080-\uffff]/;

/** The whole body as text, or as latin1 bytes when its strings hold one char per byte. */
function serialise(body: Record<string, unknown>, asBytes: boolean): string | Buffer {
  const text = JSON.stringify(body);
  return asBytes ? Buffer.from(text, 'latin1') : text;
}

/** Smaller passthrough bodies are serialised whole: as cheap as scanning them. */
const SPLICE_FROM_BYTES = 8192;
/**
 * A spliced body this large goes upstream in its parts, the client's unchanged members as views of
 * its bytes: no copy of a long conversation per request in flight. Smaller ones are joined, one
 * write being cheaper than undici's part-by-part path.
 */
const PARTS_FROM_BYTES = 256 * 1024;

const asciiDeployments = new WeakMap<Deployment, boolean>();

/** A deployment whose model name and default params are ASCII (nearly all): safe to splice into raw bytes. */
function isAsciiDeployment(d: Deployment): boolean {
  let ascii = asciiDeployments.get(d);
  if (ascii === undefined) {
    ascii =
      !NON_ASCII.test(d.model) &&
      (d.params === undefined || !NON_ASCII.test(JSON.stringify(d.params))) &&
      (d.force === undefined || !NON_ASCII.test(JSON.stringify(d.force)));
    asciiDeployments.set(d, ascii);
  }
  return ascii;
}

/**
 * The chain without deployments that cannot serve (no key, or at their own rpm/tpm limit) or are
 * cooling down. When every such deployment is cooling, the one that recovers first is still tried.
 */
export function orderCandidates(
  chain: Deployment[],
  cooldowns: Cooldowns,
  atLimit?: (d: Deployment) => boolean,
): Deployment[] {
  const withKey = chain.filter((d) => d.provider.keyState !== 'missing' && !d.unsupported);
  const usable = atLimit ? withKey.filter((d) => !atLimit(d)) : withKey;
  const warm = usable.filter((d) => !cooldowns.isCooling(d.id));
  if (warm.length > 0 || usable.length === 0) return warm;
  let best = usable[0];
  for (const d of usable) if (cooldowns.remainingMs(d.id) < cooldowns.remainingMs(best.id)) best = d;
  return [best];
}

/** 429 when every deployment with a key is at its own rpm/tpm limit; undefined otherwise. */
function atLimit(req: DispatchRequest, limits: DeploymentLimits): GatewayError | undefined {
  const withKey = req.chain.filter((d) => d.provider.keyState !== 'missing' && !d.unsupported);
  if (withKey.length === 0) return undefined;
  return limitError(
    req,
    withKey.map((d) => limits.waitMs(d)),
  );
}

function limitError(req: DispatchRequest, waits: number[]): GatewayError {
  const s = Math.max(1, Math.ceil(Math.min(...waits, 60_000) / 1000));
  return new GatewayError(
    'rate_limit',
    `every deployment of "${req.alias}" is at its rpm/tpm limit; retry in ${s} s`,
    {
      retryAfterS: s,
    },
  );
}

function noDeployment(req: DispatchRequest): GatewayError {
  const why = req.chain
    .map((d) =>
      d.unsupported
        ? `${d.id}: unsupported (${d.unsupported})`
        : d.provider.keyState === 'missing'
          ? `${d.id}: key missing${d.provider.missingEnv?.length ? ` (set ${d.provider.missingEnv.join(', ')})` : ''}`
          : d.fallbackOn
            ? `${d.id}: tried only after ${d.fallbackOn.join('/')} failures`
            : `${d.id}: cooling down`,
    )
    .join('; ');
  return new GatewayError('api_error', `no deployment of "${req.alias}" can serve: ${why || 'empty chain'}`, {
    status: 503,
  });
}

function finalError(
  failures: Array<{ d: Deployment; f: UpstreamFailure; mode: Plan['mode'] }>,
  attempts: AttemptRecord[],
  req: DispatchRequest,
): GatewayError {
  const last = failures[failures.length - 1];
  const deployments = new Set(failures.map((x) => x.d.id));
  const f = last.f;
  const single = deployments.size === 1;
  // An error that ends the request on its own (a 4xx, or the only deployment's last answer) keeps its status.
  if (
    f.kind === 'client' ||
    f.kind === 'context_window' ||
    f.kind === 'content_policy' ||
    f.kind === 'unusable' ||
    (single && f.status >= 400 && f.status < 600 && f.body !== undefined)
  ) {
    const code =
      f.kind === 'context_window'
        ? 'context_window_exceeded'
        : f.kind === 'content_policy'
          ? 'content_policy_violation'
          : f.kind === 'rate_limit'
            ? 'rate_limit'
            : 'upstream_error';
    return new GatewayError(code, `${last.d.id}: ${f.message}`, {
      attempts,
      status: f.status,
      retryAfterS: f.retryAfterS,
      upstreamBody: last.mode === 'passthrough' ? f.body : undefined,
      upstreamDialect: last.mode === 'passthrough' ? req.dialect.name : undefined,
    });
  }
  if (failures.every((x) => x.f.kind === 'rate_limit')) {
    const waits = failures.map((x) => x.f.retryAfterS).filter((s): s is number => s !== undefined);
    return new GatewayError(
      'rate_limit',
      `every deployment of "${req.alias}" is rate limited: ${list(attempts)}`,
      {
        attempts,
        retryAfterS: waits.length ? Math.min(...waits) : 1,
      },
    );
  }
  if (single && f.kind === 'timeout')
    return new GatewayError('timeout', `${last.d.id}: ${f.message}`, { attempts });
  return new GatewayError('api_error', `every attempt failed for "${req.alias}": ${list(attempts)}`, {
    attempts,
  });
}

function list(attempts: AttemptRecord[]): string {
  return attempts
    .map((a) =>
      a.skipped
        ? `${a.deployment} ${a.error}`
        : `${a.deployment} → ${a.status ?? 'no answer'}${a.error ? ` (${a.error})` : ''}`,
    )
    .join('; ');
}
