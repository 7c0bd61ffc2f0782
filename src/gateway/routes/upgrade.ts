import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Codex opens `/v1/responses` with a WebSocket upgrade first and falls back to HTTP only on
 * 426 Upgrade Required; any other answer costs it seconds of retries per session. The gateway
 * serves HTTP only, so every upgrade request is refused with 426, naming the transport to use.
 */
export function isUpgradeRequest(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade;
  return typeof upgrade === 'string' && upgrade.trim() !== '';
}

export function refuseUpgrade(req: IncomingMessage, res: ServerResponse, requestId: string): void {
  const path = (req.url ?? '/').split('?')[0];
  const message = `${path}: the ${String(req.headers.upgrade)} transport is not served; send the request as HTTP POST`;
  const text = JSON.stringify({
    error: { message, type: 'invalid_request_error', param: null, code: 'upgrade_required' },
  });
  res.writeHead(426, {
    'x-request-id': requestId,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    connection: 'close',
  });
  res.end(text);
}
