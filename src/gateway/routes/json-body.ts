import { GatewayError } from '../errors.js';

/** The request body as a JSON object, or a 400 naming what is wrong. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0)
    throw new GatewayError('invalid_request', 'request body is empty; expected a JSON object');
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new GatewayError('invalid_request', `request body is not valid JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new GatewayError('invalid_request', 'request body must be a JSON object');
  }
  return v as Record<string, unknown>;
}
