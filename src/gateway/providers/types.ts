import type { CanonicalEvent, CanonicalRequest, CanonicalResponse, Dialect } from '../canonical.js';
import type { UpstreamFailure } from '../errors.js';
import type { Deployment, ProviderType } from '../../config/types.js';
import type { SseEvent } from '../upstream/sse.js';
import type { ParamSink } from '../params/sink.js';

/** What to send upstream. `path` is appended to the provider's `apiBase`. */
export interface UpstreamRequest {
  path: string;
  /** JSON body (serialised by the HTTP layer) or an already serialised string (passthrough). */
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * The upstream side of one wire format: how a provider that speaks it natively is asked and how
 * its answers read. Used for translation (build from canonical) and for passthrough (parse the
 * answer only to find the commit point and tap usage).
 */
export interface WireCodec {
  readonly dialect: Dialect;
  /** Path under apiBase, e.g. `/chat/completions`, `/messages`, `/responses`. */
  readonly path: string;
  /**
   * Canonical → the provider's request body (model already the deployment's). Every request
   * parameter the body cannot carry is reported to `params` (which refuses or records the drop);
   * without one, such a parameter is refused.
   */
  buildRequest(req: CanonicalRequest, d: Deployment, params?: ParamSink): Record<string, unknown>;
  /** `req`, when translating, lets parsers map tool names back (namespaces, custom tools). */
  parseResponse(body: unknown, req?: CanonicalRequest): CanonicalResponse;
  /** A fresh parser per stream: its state lives in the closure. */
  streamParser(req?: CanonicalRequest): (ev: SseEvent) => CanonicalEvent[];
  /**
   * Passthrough body rewrite: set the model (and clamp max tokens) on the client's parsed body,
   * and ask for usage in streams where the format needs asking. Model-family rules apply here too:
   * a parameter the deployment's model refuses is reported to `params`. Returns the object to serialise.
   */
  rewriteForPassthrough(
    body: Record<string, unknown>,
    d: Deployment,
    params?: ParamSink,
  ): Record<string, unknown>;
  /**
   * Passthrough streams: whether an event must be parsed (it may carry usage, the stop reason, the
   * end or an error). The others (content deltas) are forwarded as they are and parsed only if the
   * stream is cut and its output must be counted. Without it every event is parsed.
   */
  passthroughTap?(ev: SseEvent): boolean;
  /** The path when it depends on the deployment or on streaming (Azure deployments, Bedrock model ids, Gemini and Vertex models). */
  pathFor?(d: Deployment, stream: boolean): string;
  /**
   * A decoder for a stream framing other than SSE (AWS event-stream). The events it yields are what
   * `streamParser` reads, and a passthrough client receives them re-framed as SSE.
   */
  frames?(): FrameDecoder;
}

export interface FrameDecoder {
  push(chunk: Uint8Array): SseEvent[];
  end(): SseEvent[];
}

/**
 * A request body: text, bytes, or bytes in parts sent one after the other (a spliced passthrough
 * body, whose large unchanged members are views of the client's bytes rather than a copy).
 */
export type OutgoingBody = string | Buffer | readonly Buffer[];

/** The body as one string or Buffer, for whoever must read all of it (a signer, an edit). */
export function wholeBody(body: OutgoingBody): string | Buffer {
  return typeof body === 'string' || Buffer.isBuffer(body) ? body : Buffer.concat(body);
}

/** One upstream call as it will be sent. */
export interface OutgoingCall {
  url: URL;
  headers: Record<string, string>;
  body: OutgoingBody;
}

export type ClientHeaders = Record<string, string | string[] | undefined>;

/** What `finalize` makes of a call: the call to send, or why this deployment cannot take it. */
export type FinalCall = OutgoingCall | { failure: UpstreamFailure };

export interface ProviderAdapter {
  readonly type: ProviderType;
  /** The dialect translated requests are sent in. */
  readonly native: Dialect;
  /** Every wire format this provider accepts as-is, keyed by dialect (passthrough candidates). */
  readonly wires: Partial<Record<Dialect, WireCodec>>;
  readonly defaultApiBase: string;
  readonly needsKey: boolean;
  /** Auth and protocol headers for a request to this provider; `client` are the incoming headers. */
  headers(
    d: Deployment,
    client: Record<string, string | string[] | undefined>,
  ): Record<string, string> | Promise<Record<string, string>>;
  /** Classify a non-2xx answer: retryable? context window? rate limit? */
  classifyError(status: number, body: string, headers: Record<string, string>): UpstreamFailure;
  /** The model-family rules this provider applies to `model`, in words (shown by `/model/info`). */
  modelRules?(model: string): string[];
  /** Embeddings, for providers that have them; `translate` when they are not OpenAI-shaped. */
  embeddings?: { path: string; pathFor?(d: Deployment): string; translate?: EmbeddingsTranslation };
  /** The wire for a client dialect when it depends on the deployment's model (Claude on Bedrock); replaces `wires` lookups. */
  wireFor?(dialect: Dialect, d: Deployment): WireCodec | undefined;
  /**
   * The last step before sending, for credentials read at request time (SigV4 signing, the client's
   * own token). A failure ends this attempt without a request: the router falls back as for any other.
   */
  finalize?(call: OutgoingCall, d: Deployment, client: ClientHeaders): FinalCall | Promise<FinalCall>;
  /**
   * Whose opaque reasoning (thinking signatures, encrypted reasoning) this deployment issues and
   * accepts, when it is not the provider type's own: Claude on Bedrock and Vertex shares Anthropic's.
   */
  reasoningFamily?(d: Deployment): string;
}

/** OpenAI embeddings ↔ a provider's own embeddings API. */
export interface EmbeddingsTranslation {
  path(d: Deployment): string;
  request(body: Record<string, unknown>, d: Deployment): unknown;
  /** The upstream answer as an OpenAI embeddings body; `inputTokens` counted by the gateway. */
  response(json: unknown, body: Record<string, unknown>, inputTokens: number): unknown;
}
