import { headerOf, retryAfterSeconds, type FailureKind, type UpstreamFailure } from '../../errors.js';

const TOO_LONG =
  /too long|too many (?:input )?tokens|context (?:length|window)|exceeds? .*(?:context|token)/i;

/**
 * Bedrock's errors, named by `x-amzn-errortype` (or the body's `__type`): ThrottlingException is a
 * rate limit (the router cools the deployment down), a ValidationException about length a
 * context-window failure, ModelNotReady / ServiceUnavailable / InternalServer / ModelTimeout are
 * retried, AccessDenied is a 403 that ends the request, other 4xx are the client's. The key never
 * appears in what AWS sends back, and the message is the body's `message`.
 */
export function classifyBedrockError(
  status: number,
  body: string,
  headers: Record<string, string>,
): UpstreamFailure {
  let message = body.trim().slice(0, 500) || `Bedrock returned HTTP ${status}`;
  let type = (headerOf(headers, 'x-amzn-errortype') ?? '').split(':')[0];
  try {
    const j = JSON.parse(body) as { message?: unknown; Message?: unknown; __type?: unknown };
    const m = j.message ?? j.Message;
    if (typeof m === 'string' && m) message = m;
    if (!type && typeof j.__type === 'string') type = j.__type.split('#').pop() ?? '';
  } catch {
    // not JSON: the text is the message
  }
  let kind: FailureKind;
  if (type === 'ThrottlingException' || status === 429) kind = 'rate_limit';
  else if (type === 'ValidationException' && TOO_LONG.test(message)) kind = 'context_window';
  else if (
    /^(ModelNotReady|ServiceUnavailable|InternalServer|ModelTimeout)/.test(type) ||
    status >= 500 ||
    status === 408
  )
    kind = 'server';
  else kind = 'client';
  const out: UpstreamFailure = {
    kind,
    status,
    message: type ? `${type}: ${message}` : message,
    body,
    headers,
  };
  if (type === 'ThrottlingException') out.coolNow = true;
  const after = retryAfterSeconds(headers);
  if (after !== undefined) out.retryAfterS = after;
  return out;
}
