import type { Deployment } from '../../config/types.js';
import { GatewayError } from '../errors.js';

/** The response header that lists the parameters dropped under `drop_params`. */
export const DROPPED_HEADER = 'x-agentbox-dropped';

/**
 * Where a codec reports a request parameter the deployment cannot take. Under `drop_params` the
 * parameter is recorded (the codec leaves it out and the response lists it in
 * `x-agentbox-dropped`); otherwise the request is refused with a 400 naming the parameter and the
 * deployment. One sink per deployment attempt, so a fallback starts with a clean list.
 */
export interface ParamSink {
  /**
   * `param` is the name the client used (`logprobs`, `stop_sequences`, `text.format`). Returns only
   * when the parameter may be dropped; throws GatewayError('invalid_request') otherwise.
   */
  unsupported(param: string, why: string): void;
  /** A parameter left out whatever drop_params says (an offer the request does not depend on); listed like a drop. */
  leftOut(param: string): void;
  /** Parameters dropped so far, in report order, without repeats. */
  readonly dropped: string[];
}

/**
 * `decided` are the parameters the deployment's `force:`/`drop:` settle whatever the client sent:
 * reporting one of them neither refuses nor counts as a drop.
 */
export function createParamSink(
  d: Deployment,
  dropParams: boolean,
  decided: ReadonlySet<string> = new Set(),
): ParamSink {
  const dropped: string[] = [];
  return {
    dropped,
    unsupported(param, why) {
      if (decided.has(param)) return;
      if (!dropParams) {
        throw new GatewayError(
          'invalid_request',
          `${param} is not supported by deployment ${d.id}: ${why}. ` +
            'Remove it, or set litellm.drop_params: true to have it dropped.',
          { param },
        );
      }
      if (!dropped.includes(param)) dropped.push(param);
    },
    leftOut(param) {
      if (!decided.has(param) && !dropped.includes(param)) dropped.push(param);
    },
  };
}

/** A sink that refuses everything: for callers that build a request outside a dispatch. */
export function strictParamSink(d: Deployment): ParamSink {
  return createParamSink(d, false);
}

/** Whether this deployment drops what it cannot take: its own setting, else the gateway's. */
export function dropsParams(d: Deployment, gatewayDefault: boolean | undefined): boolean {
  return d.dropParams ?? gatewayDefault ?? false;
}
