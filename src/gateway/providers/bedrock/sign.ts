import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { wholeBody, type OutgoingCall } from '../types.js';
import type { AwsKeys } from './credentials.js';

/**
 * Sign one call with SigV4 for the `bedrock` service: the Smithy signer adds `x-amz-date`,
 * `x-amz-content-sha256`, `x-amz-security-token` (temporary keys) and `authorization` over the
 * method, path (model ids URI-encoded, then escaped again as AWS's canonical form requires),
 * query, every header sent and the body's hash.
 */
export async function signCall(
  call: OutgoingCall,
  region: string,
  keys: AwsKeys,
  now?: Date,
): Promise<OutgoingCall> {
  const signer = new SignatureV4({ service: 'bedrock', region, credentials: keys, sha256: Sha256 });
  const { url } = call;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: { ...call.headers, host: url.host },
      body: wholeBody(call.body),
    },
    now ? { signingDate: now } : undefined,
  );
  return { ...call, headers: signed.headers as Record<string, string> };
}
