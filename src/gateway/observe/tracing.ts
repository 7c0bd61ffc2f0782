import type { Deployment } from '../../config/types.js';
import type { RequestContext } from '../routes/context.js';

/**
 * Request tracing as the gateway sees it, with no OpenTelemetry import: the SDK is loaded only
 * when `litellm.otel` is configured (observe/otel.ts), so idle memory does not pay for it.
 */
export interface Tracing {
  /** The span of one request, a child of the client's `traceparent` when it sent one. */
  start(ctx: RequestContext): RequestTrace;
  /** Spans dropped so far (queue full, or the collector refused or was unreachable). */
  dropped(): number;
  shutdown(): Promise<void>;
}

export interface RequestTrace {
  /** A child span for one upstream attempt; its `traceparent` goes upstream. */
  attempt(d: Deployment): AttemptTrace;
  end(ctx: RequestContext): void;
}

export interface AttemptTrace {
  traceparent: string;
  end(status: number | null, error?: string): void;
}

export interface OtelSettings {
  /** The collector's base URL (…/v1/traces is added) or its traces URL. */
  endpoint: string;
  protocol: 'http/protobuf' | 'http/json';
  headers: Record<string, string>;
  captureContent: boolean;
  /** Spans held for export at most; more are dropped (and counted). */
  maxQueue: number;
}
