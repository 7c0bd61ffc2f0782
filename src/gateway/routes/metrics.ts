import { GatewayError } from '../errors.js';
import { isOperator } from '../usage/keys.js';
import { usageOf } from '../usage/request-info.js';
import { baseHeaders, type RequestContext } from './context.js';

/** GET /metrics: Prometheus text exposition of the gateway's metrics (prom-client). */
export async function handleMetrics(ctx: RequestContext): Promise<void> {
  if (!isOperator(usageOf(ctx).caller, ctx.state.loaded.config)) {
    throw new GatewayError(
      'permission_denied',
      '/metrics needs the master key when litellm.keys is configured',
    );
  }
  const metrics = ctx.state.usage?.metrics;
  const text = metrics ? await metrics.text() : '';
  ctx.res.writeHead(200, {
    ...baseHeaders(ctx),
    'content-type': metrics?.contentType ?? 'text/plain; version=0.0.4; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  ctx.res.end(text);
}
