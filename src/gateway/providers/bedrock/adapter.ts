import { wholeBody, type ClientHeaders, type OutgoingCall, type ProviderAdapter } from '../types.js';
import { converseCodec, invokeCodec } from './codecs.js';
import type { AwsSource } from '../../../config/types.js';
import { loadAwsLibs } from './aws-libs.js';
import type { AwsAuth } from './credentials.js';
import { classifyBedrockError } from './errors.js';

/** Claude model ids, bare (`anthropic.claude-…`) or as a cross-region inference profile (`us.anthropic.claude-…`). */
export function isBedrockClaude(model: string): boolean {
  return (
    /^(?:[a-z]{2,4}\.)?anthropic\.claude/.test(model) ||
    /inference-profile\/(?:[a-z]{2,4}\.)?anthropic\.claude/.test(model)
  );
}

const EVENT_STREAM = 'application/vnd.amazon.eventstream';

/**
 * AWS Bedrock. A Messages client (Claude Code) reaching a Claude model goes through InvokeModel
 * with its body kept (betas, thinking blocks, cache_control); everything else is translated to
 * Converse. Calls are signed with SigV4 (or carry a Bedrock API key as a Bearer token), with
 * credentials resolved per request so renewed keys are picked up.
 */
export function createBedrockAdapter(now: () => number = Date.now): ProviderAdapter {
  let resolve: ((source: AwsSource, apiKey?: string) => Promise<AwsAuth>) | undefined;
  return {
    type: 'bedrock',
    native: 'bedrock-converse',
    wires: { 'bedrock-converse': converseCodec },
    wireFor: (dialect, d) =>
      dialect === 'bedrock-converse'
        ? converseCodec
        : dialect === 'anthropic-messages' && isBedrockClaude(d.model)
          ? invokeCodec
          : undefined,
    defaultApiBase: '',
    needsKey: true,
    reasoningFamily: (d) => (isBedrockClaude(d.model) ? 'anthropic' : 'bedrock'),
    headers: (d) => {
      const h: Record<string, string> = {};
      if (d.provider.headers) for (const [k, v] of Object.entries(d.provider.headers)) h[k.toLowerCase()] = v;
      return h;
    },
    classifyError: classifyBedrockError,
    async finalize(call, d, client) {
      const aws = await loadAwsLibs();
      resolve ??= aws.createAwsCredentials(now);
      let auth: AwsAuth;
      try {
        auth = await resolve(d.provider.aws!, d.provider.apiKey);
      } catch (e) {
        return { failure: { kind: 'unusable', status: 401, message: (e as Error).message } };
      }
      const out = prepare(call, client);
      if (auth.kind === 'bearer') {
        out.headers.authorization = `Bearer ${auth.token}`;
        return out;
      }
      return aws.signCall(out, d.provider.region!, auth.keys);
    },
  };
}

/** Event-stream accept headers for streams, and the client's betas into an InvokeModel body. */
function prepare(call: OutgoingCall, client: ClientHeaders): OutgoingCall {
  const headers = { ...call.headers };
  const streaming = headers.accept === 'text/event-stream';
  headers.accept = streaming ? EVENT_STREAM : 'application/json';
  let body = wholeBody(call.body);
  const beta = client['anthropic-beta'];
  const betas = (Array.isArray(beta) ? beta.join(',') : (beta ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (betas.length > 0 && /\/invoke(-with-response-stream)?$/.test(call.url.pathname)) {
    // The body is JSON object text: the field goes right after its opening brace.
    const field = `"anthropic_beta":${JSON.stringify(betas)},`;
    body =
      typeof body === 'string'
        ? `{${field}${body.slice(1)}`
        : Buffer.concat([Buffer.from(`{${field}`, 'latin1'), body.subarray(1)]);
  }
  return { ...call, headers, body };
}

export const bedrockAdapter = createBedrockAdapter();
