#!/usr/bin/env node
// The "floor" the benchmark compares agentbox with: the least a Node proxy can do for an LLM request
// (node:http server, JSON.parse + JSON.stringify of the request to set `model`, one undici Pool to
// the upstream, the reply piped back). No routing, no logging, no usage.
// `node bench/floor-proxy.mjs --upstream http://127.0.0.1:PORT [--port N]` prints
// `floor proxy listening on http://127.0.0.1:N` and serves until SIGTERM.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({
  options: { upstream: { type: 'string' }, port: { type: 'string', default: '0' } },
});
const pool = new Pool(values.upstream, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 });

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      body.model = 'floor-model';
      const up = await pool.request({
        path: req.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      res.writeHead(up.statusCode, { 'content-type': up.headers['content-type'] ?? 'application/json' });
      for await (const chunk of up.body) res.write(chunk);
      res.end();
    } catch (e) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(e?.message ?? e) } }));
    }
  });
});
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`floor proxy listening on http://127.0.0.1:${server.address().port}\n`);
});
const stop = () => {
  server.closeAllConnections();
  server.close(() => pool.close().then(() => process.exit(0)));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
