import type { Logger } from '../../shared/log.js';
import { VERSION } from '../../shared/version.js';
import type { RequestContext } from '../routes/context.js';
import { usageOf } from '../usage/request-info.js';
import type { OtelSettings, RequestTrace, Tracing } from './tracing.js';

const CONTENT_CAP = 64 * 1024;

/** The traces URL of an OTLP/HTTP endpoint given as a base URL (as OTEL_EXPORTER_OTLP_ENDPOINT is). */
export function tracesUrl(endpoint: string): string {
  const e = endpoint.replace(/\/+$/, '');
  return /\/v1\/traces$/.test(e) ? e : `${e}/v1/traces`;
}

/**
 * OpenTelemetry tracing with the GenAI semantic conventions: one SERVER span per request and a
 * CLIENT span per upstream attempt, exported over OTLP/HTTP (protobuf or JSON) in batches from a
 * bounded queue. A collector that is down or slow costs requests nothing: spans are dropped and
 * counted (`agentbox_otel_spans_dropped_total`).
 */
export async function createOtelTracing(s: OtelSettings, log: Logger): Promise<Tracing> {
  const api = await import('@opentelemetry/api');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const sdk = await import('@opentelemetry/sdk-trace-base');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const { OTLPTraceExporter } =
    s.protocol === 'http/json'
      ? await import('@opentelemetry/exporter-trace-otlp-http')
      : await import('@opentelemetry/exporter-trace-otlp-proto');

  let dropped = 0;
  let queued = 0;
  const inner = new OTLPTraceExporter({
    url: tracesUrl(s.endpoint),
    headers: s.headers,
    timeoutMillis: 5_000,
  });
  // Counts what the collector did not take; the batch processor gives no such number of its own.
  const exporter: InstanceType<typeof sdk.ConsoleSpanExporter> = {
    export(spans, done) {
      inner.export(spans, (r) => {
        queued = Math.max(0, queued - spans.length);
        if (r.code !== 0) {
          dropped += spans.length;
          log.debug({ spans: spans.length, error: r.error?.message }, 'otel export failed');
        }
        done(r);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  } as InstanceType<typeof sdk.ConsoleSpanExporter>;
  const batch = new sdk.BatchSpanProcessor(exporter, {
    maxQueueSize: s.maxQueue,
    maxExportBatchSize: Math.min(512, s.maxQueue),
    scheduledDelayMillis: 500,
    exportTimeoutMillis: 5_000,
  });
  const processor: InstanceType<typeof sdk.NoopSpanProcessor> = {
    onStart: (span, ctx) => batch.onStart(span, ctx),
    onEnd(span) {
      if (queued >= s.maxQueue) {
        dropped++;
        return;
      }
      queued++;
      batch.onEnd(span);
    },
    forceFlush: () => batch.forceFlush(),
    shutdown: () => batch.shutdown(),
  } as InstanceType<typeof sdk.NoopSpanProcessor>;
  const provider = new sdk.BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'agentbox', 'service.version': VERSION }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('agentbox', VERSION);
  const propagator = new W3CTraceContextPropagator();
  const getter = {
    keys: (h: Record<string, unknown>) => Object.keys(h),
    get: (h: Record<string, unknown>, k: string) => h[k] as string | string[] | undefined,
  };

  return {
    start(ctx: RequestContext): RequestTrace {
      const parent = propagator.extract(api.ROOT_CONTEXT, ctx.req.headers, getter);
      const span = tracer.startSpan(
        `${ctx.req.method ?? 'POST'} ${ctx.info.route}`,
        {
          kind: api.SpanKind.SERVER,
          startTime: ctx.started,
          attributes: { 'agentbox.route': ctx.info.route },
        },
        parent,
      );
      const within = api.trace.setSpan(parent, span);
      return {
        attempt(d) {
          const a = tracer.startSpan(
            `attempt ${d.id}`,
            {
              kind: api.SpanKind.CLIENT,
              attributes: {
                'gen_ai.provider.name': d.provider.type,
                'gen_ai.request.model': d.model,
                'agentbox.deployment': d.id,
                'server.address': hostOf(d.provider.apiBase),
              },
            },
            within,
          );
          const sc = a.spanContext();
          return {
            traceparent: `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags.toString(16)}`,
            end(status, error) {
              if (status !== null) a.setAttribute('http.response.status_code', status);
              if (error) {
                a.setAttribute('error.type', status === null ? 'no_answer' : String(status));
                a.setStatus({ code: api.SpanStatusCode.ERROR, message: error.slice(0, 500) });
              }
              a.end();
            },
          };
        },
        end(c) {
          const info = c.info;
          const notes = usageOf(c);
          const d = notes.servedBy;
          const u = info.usage;
          const attrs: Record<string, string | number | boolean> = {
            'gen_ai.operation.name': /embeddings/.test(info.route) ? 'embeddings' : 'chat',
            'http.response.status_code': c.res.statusCode,
          };
          if (info.alias) attrs['gen_ai.request.model'] = info.alias;
          if (info.model) attrs['agentbox.requested_model'] = info.model;
          if (d) {
            attrs['gen_ai.provider.name'] = d.provider.type;
            attrs['gen_ai.response.model'] = d.model;
          }
          if (info.deployment) attrs['agentbox.deployment'] = info.deployment;
          if (info.attempts) attrs['agentbox.attempts'] = info.attempts.length;
          if (info.fallbacks !== undefined) attrs['agentbox.fallbacks'] = info.fallbacks;
          if (info.stream !== undefined) attrs['agentbox.stream'] = info.stream;
          if (notes.caller?.name) attrs['agentbox.key'] = notes.caller.name;
          if (typeof notes.usd === 'number' && d) attrs['agentbox.cost_usd'] = notes.usd;
          if (u) {
            attrs['gen_ai.usage.input_tokens'] = u.inputTokens;
            attrs['gen_ai.usage.output_tokens'] = u.outputTokens;
            if (u.cacheReadTokens) attrs['gen_ai.usage.cache_read.input_tokens'] = u.cacheReadTokens;
            if (u.cacheWriteTokens) attrs['gen_ai.usage.cache_creation.input_tokens'] = u.cacheWriteTokens;
          }
          if (s.captureContent && c.body.length > 0) attrs['gen_ai.input.messages'] = inputMessages(c.body);
          span.setAttributes(attrs);
          if (c.res.statusCode >= 500 || info.error) {
            span.setAttribute('error.type', String(c.res.statusCode));
            span.setStatus({ code: api.SpanStatusCode.ERROR, message: (info.error ?? '').slice(0, 500) });
          }
          span.end();
        },
      };
    },
    dropped: () => dropped,
    async shutdown() {
      await provider.shutdown().catch(() => undefined);
    },
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** The request's messages (Chat, Messages) or input (Responses) as JSON, capped; only with capture_content. */
function inputMessages(body: Buffer): string {
  try {
    const b = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const m = b.messages ?? b.input ?? b.contents ?? null;
    const text = JSON.stringify(b.system !== undefined ? { system: b.system, messages: m } : m);
    return text.length > CONTENT_CAP ? `${text.slice(0, CONTENT_CAP)}…` : text;
  } catch {
    return '';
  }
}
