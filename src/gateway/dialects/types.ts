import type { CanonicalEvent, CanonicalRequest, CanonicalResponse, Dialect } from '../canonical.js';
import type { GatewayError } from '../errors.js';
import type { RequestTraits } from '../request-traits.js';
import type { SseEvent } from '../upstream/sse.js';
import type { OpaqueFields } from '../reasoning-origin/opaque-fields.js';

export interface EncodeContext {
  /** The model name the client asked for (what it will see echoed back). */
  model: string;
  requestId: string;
  /** Chat streams: the client asked for a usage chunk. */
  includeUsage?: boolean;
  /** Unix seconds when the request arrived. */
  created: number;
  /**
   * The decoded request, when the answer was translated. Responses encoders read its tools (to
   * restore namespaces and custom tools) and echo its settings in the Response object.
   */
  request?: CanonicalRequest;
  /**
   * Translated streams: the prompt's size counted locally, for dialects that report input tokens
   * before the upstream does (Messages `message_start`); the upstream's own count wins when it comes.
   */
  inputTokensEstimate?: () => number;
  /**
   * For dialects with `echoedMembers`: the client's own JSON bytes of a top-level member of its
   * body when `value` means the same (upstream/json-splice.ts `clientMembers`), else undefined.
   */
  clientJson?: (key: string, value: unknown) => Buffer | undefined;
}

/** Turns canonical stream events into SSE text for one client stream. State lives in the closure. */
/**
 * SSE output: text, or its UTF-8 bytes when part of it is the client's own bytes (a Response's echo
 * of its request, see EncodeContext.clientJson), which then need not be decoded and encoded again.
 */
export type SseOut = string | Buffer;

export interface StreamEncoder<Out extends SseOut = SseOut> {
  /** SSE output for this event ('' when it produces nothing). */
  event(ev: CanonicalEvent): Out;
  /** A final error event: the stream ends after it, without a clean terminator. */
  error(err: GatewayError): Out;
}

/**
 * The client side of one dialect: what a client speaks to the gateway. `Out`: what its stream
 * encoder writes (text, or bytes where it may reuse the client's own).
 */
export interface ClientDialect<Out extends SseOut = SseOut> {
  readonly name: Dialect;
  /**
   * Cheap checks every request gets, passthrough included: a JSON object with the fields this
   * dialect requires. Throws GatewayError('invalid_request') naming the problem.
   */
  validate(body: unknown): { model: string; stream: boolean };
  /** Full decode into the canonical request, for translation. Throws GatewayError('invalid_request'). */
  decodeRequest(body: Record<string, unknown>): CanonicalRequest;
  encodeResponse(res: CanonicalResponse, ctx: EncodeContext): unknown;
  streamEncoder(ctx: EncodeContext): StreamEncoder<Out>;
  /** A gateway-made error as this dialect's JSON error body. */
  errorBody(err: GatewayError): unknown;
  /**
   * Passthrough streams are forwarded byte for byte, except when this returns true for an upstream
   * event the client must not see (the Chat usage chunk the gateway asked for but the client did not).
   * Only consulted when `ctx.includeUsage` is false.
   */
  dropFromPassthrough?(ev: SseEvent): boolean;
  /**
   * Top-level members of the request that a translated answer repeats (Responses: `instructions`
   * and `tools`): where the answer's value means the same as the client's, the client's bytes go.
   */
  readonly echoedMembers?: readonly string[];
  /** What the request needs and is (images, tools, …), read cheaply from the body. */
  traits(body: Record<string, unknown>): RequestTraits;
  /** Where this format keeps opaque reasoning (signatures), for origin marks on passthrough bodies. */
  readonly opaque?: OpaqueFields;
}
