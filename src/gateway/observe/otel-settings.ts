import type { LitellmConfig } from '../../config/types.js';
import type { OtelSettings } from './tracing.js';

/**
 * `litellm.otel` completed from the standard OTLP variables: the config's values win; headers
 * from OTEL_EXPORTER_OTLP_HEADERS (`k=v,k=v`) are added. Undefined when tracing is off; an error
 * naming what to set when it is on without an endpoint.
 */
export function otelSettings(config: LitellmConfig, env: NodeJS.ProcessEnv): OtelSettings | undefined {
  const o = config.otel;
  if (!o) return undefined;
  const endpoint =
    o.endpoint || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint)
    throw new Error(
      'litellm.otel is set but has no endpoint: set litellm.otel.endpoint (e.g. http://127.0.0.1:4318) or OTEL_EXPORTER_OTLP_ENDPOINT',
    );
  const envProtocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  let protocol = o.protocol;
  if (!protocol && envProtocol) {
    if (envProtocol !== 'http/protobuf' && envProtocol !== 'http/json')
      throw new Error(
        `OTEL_EXPORTER_OTLP_PROTOCOL=${envProtocol}: agentbox exports http/protobuf or http/json`,
      );
    protocol = envProtocol;
  }
  const headers: Record<string, string> = {};
  for (const pair of (env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS ?? '').split(
    ',',
  )) {
    const i = pair.indexOf('=');
    if (i > 0)
      headers[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
  }
  Object.assign(headers, o.headers);
  return {
    endpoint,
    protocol: protocol ?? 'http/protobuf',
    headers,
    captureContent: o.captureContent,
    maxQueue: o.maxQueue,
  };
}
