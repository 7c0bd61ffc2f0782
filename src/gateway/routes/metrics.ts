import { baseHeaders, type RequestContext } from './context.js';

/** GET /metrics: Prometheus text exposition of the gateway's metrics (prom-client). */
export async function handleMetrics(ctx: RequestContext): Promise<void> {
  const metrics = ctx.state.usage?.metrics;
  const text = metrics ? await metrics.text() : '';
  ctx.res.writeHead(200, {
    ...baseHeaders(ctx),
    'content-type': metrics?.contentType ?? 'text/plain; version=0.0.4; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  ctx.res.end(text);
}
