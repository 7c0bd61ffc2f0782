import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * AWS's wire rules written out from the specs with node:crypto only, so tests check agentbox's
 * signer and decoder against an implementation that shares no code with them: SigV4 verification
 * (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html) and event-stream message
 * encoding (prelude with CRC32, typed headers, payload, message CRC32).
 */

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 unreserved characters stay, everything else is %XX (upper case), as SigV4 wants. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface SigV4Check {
  ok: boolean;
  why?: string;
  accessKeyId?: string;
  region?: string;
  service?: string;
}

/** Verify one request's SigV4 `authorization` against `secrets` (access key id → secret). */
export function verifySigV4(
  method: string,
  rawPath: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  secrets: Record<string, string>,
): SigV4Check {
  const auth = String(headers.authorization ?? '');
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { ok: false, why: `not a SigV4 authorization: ${auth.slice(0, 40)}` };
  const [, accessKeyId, day, region, service, signedHeaders, signature] = m;
  const secret = secrets[accessKeyId];
  if (!secret) return { ok: false, why: `unknown access key ${accessKeyId}`, accessKeyId };
  const amzDate = String(headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(day)) return { ok: false, why: 'x-amz-date does not match the credential scope' };
  const payloadHash = sha256(body);
  const claimed = headers['x-amz-content-sha256'];
  if (claimed !== undefined && claimed !== payloadHash)
    return { ok: false, why: 'x-amz-content-sha256 is not the body hash' };
  const [path, query = ''] = rawPath.split('?');
  // Non-S3 services: each path segment, as sent, is URI-encoded once more.
  const canonicalUri = path
    .split('/')
    .map((seg) => uriEncode(seg))
    .join('/');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((kv) => {
      const [k, v = ''] = kv.split('=');
      return [uriEncode(decodeURIComponent(k)), uriEncode(decodeURIComponent(v))];
    })
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const names = signedHeaders.split(';');
  for (const required of ['host', 'x-amz-date'])
    if (!names.includes(required)) return { ok: false, why: `${required} is not signed` };
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${String(headers[n] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonicalRequest = [
    method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  if (expected !== signature) return { ok: false, why: 'signature mismatch', accessKeyId, region, service };
  return { ok: true, accessKeyId, region, service };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One event-stream message with string headers. */
export function eventFrame(headers: Record<string, string>, payload: string | Buffer): Buffer {
  const hs: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(7, 1 + n.length); // string
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    hs.push(h);
  }
  const headerBytes = Buffer.concat(hs);
  const body = Buffer.from(payload);
  const total = 12 + headerBytes.length + body.length + 4;
  const prelude = Buffer.alloc(8);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headerBytes.length, 4);
  const preludeCrc = Buffer.alloc(4);
  preludeCrc.writeUInt32BE(crc32(prelude), 0);
  const head = Buffer.concat([prelude, preludeCrc, headerBytes, body]);
  const msgCrc = Buffer.alloc(4);
  msgCrc.writeUInt32BE(crc32(head), 0);
  return Buffer.concat([head, msgCrc]);
}

/** A Bedrock `event` message. */
export function awsEvent(eventType: string, payload: unknown): Buffer {
  return eventFrame(
    { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
    JSON.stringify(payload),
  );
}

/** A Bedrock `exception` message sent after the stream started. */
export function awsException(exceptionType: string, message: string): Buffer {
  return eventFrame(
    { ':exception-type': exceptionType, ':content-type': 'application/json', ':message-type': 'exception' },
    JSON.stringify({ message }),
  );
}

/** An InvokeModelWithResponseStream `chunk`: one Messages stream event, base64 in `bytes`. */
export function invokeChunk(messagesEvent: unknown): Buffer {
  return awsEvent('chunk', { bytes: Buffer.from(JSON.stringify(messagesEvent)).toString('base64') });
}
