import type { Server } from 'node:http';
export function replies(): { chat: { json: Buffer; sse: Buffer }; messages: { json: Buffer; sse: Buffer } };
export function seesStream(prev: Buffer | undefined, chunk: Buffer): boolean;
export function startFakeUpstream(
  port?: number,
): Promise<{ server: Server; port: number; stats: { requests: number; connections: number } }>;
