import type { Deployment } from '../../../config/types.js';
import type { UpstreamFailure } from '../../errors.js';
import type { ClientHeaders, OutgoingCall } from '../types.js';

/** The beta an OAuth (Claude Pro/Max) token needs on the Messages API. */
export const OAUTH_BETA = 'oauth-2025-04-20';

/** Only Anthropic credentials are forwarded: never a gateway key the client sent for agentbox itself. */
const ANTHROPIC_CREDENTIAL = /^sk-ant-[A-Za-z0-9_-]+$/;

/**
 * `auth: client`: the call carries the client's own Anthropic credential instead of a configured
 * key. An OAuth token (`Authorization: Bearer sk-ant-oat…`) goes as it came, with `oauth-2025-04-20`
 * merged into the client's `anthropic-beta` list (never replacing it) and no `x-api-key`; a client
 * API key (`x-api-key: sk-ant-api…`) goes as `x-api-key`. The credential is read from this
 * request's headers only and kept nowhere. A request without one cannot use this deployment: the
 * attempt fails as `unusable` and the router moves on to the next deployment.
 */
export function withClientCredential(
  call: OutgoingCall,
  d: Deployment,
  client: ClientHeaders,
): OutgoingCall | { failure: UpstreamFailure } {
  const headers = { ...call.headers };
  delete headers['x-api-key'];
  delete headers.authorization;
  const bearer = /^bearer\s+(\S+)$/i.exec(first(client.authorization) ?? '')?.[1];
  const apiKey = first(client['x-api-key'])?.trim();
  if (bearer && ANTHROPIC_CREDENTIAL.test(bearer)) {
    headers.authorization = `Bearer ${bearer}`;
    headers['anthropic-beta'] = mergeBeta(headers['anthropic-beta'], OAUTH_BETA);
  } else if (apiKey && ANTHROPIC_CREDENTIAL.test(apiKey)) {
    headers['x-api-key'] = apiKey;
  } else {
    return {
      failure: {
        kind: 'unusable',
        status: 401,
        message: `${d.provider.name} uses the client's own credentials (auth: client) and this request carried none (Authorization: Bearer sk-ant-oat… or x-api-key: sk-ant-…)`,
      },
    };
  }
  return { ...call, headers };
}

/** A comma-separated beta list with `beta` added once; the client's entries and their order kept. */
export function mergeBeta(list: string | undefined, beta: string): string {
  const items = (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (beta && !items.includes(beta)) items.push(beta);
  return items.join(',');
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
