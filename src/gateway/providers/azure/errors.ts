import type { UpstreamFailure } from '../../errors.js';
import { classifyOpenAIError } from '../openai/classify-error.js';

/** Codes Azure gives a request or answer its content filter stopped. */
const FILTER_CODES = new Set(['content_filter', 'content_policy_violation', 'ResponsibleAIPolicyViolation']);

/**
 * Azure answers in OpenAI's error shape; what it adds is the content filter: a 400 whose
 * `error.code` (or `innererror.code`) names it is a content-policy failure, which
 * `fallbacks.on_content_policy` may send to the next deployment, and is never retried here.
 */
export function classifyAzureError(
  status: number,
  body: string,
  headers: Record<string, string>,
): UpstreamFailure {
  const f = classifyOpenAIError(status, body, headers);
  if (status === 400 && isFilter(body)) f.kind = 'content_policy';
  return f;
}

function isFilter(body: string): boolean {
  if (!body.includes('content_') && !body.includes('ResponsibleAI')) return false;
  try {
    const e = (JSON.parse(body) as { error?: { code?: unknown; innererror?: { code?: unknown } } }).error;
    return FILTER_CODES.has(String(e?.code)) || FILTER_CODES.has(String(e?.innererror?.code));
  } catch {
    return false;
  }
}
