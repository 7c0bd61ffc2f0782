import { OPENAI_TYPE, type GatewayError } from '../errors.js';

/** A gateway-made error as an OpenAI error body: `{error: {message, type, param, code}}`. */
export function chatErrorBody(err: GatewayError): {
  error: { message: string; type: string; param: string | null; code: string };
} {
  return {
    error: {
      message: err.message,
      type: OPENAI_TYPE[err.code] ?? 'api_error',
      param: err.param,
      code: err.code,
    },
  };
}
