// Minimal node:http client helpers for the benchmark's checks and first-byte timing.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** GET `url`; resolves `{status, body}` (body parsed as JSON when it is JSON). Times out after 2 s. */
export function getJson(url) {
  return send(url, { method: 'GET' }).then((r) => {
    let body = r.text;
    try {
      body = JSON.parse(r.text);
    } catch {
      // not JSON
    }
    return { status: r.status, body };
  });
}

/** One request; resolves `{status, headers, text, headersMs, firstByteMs, totalMs}`. */
export function send(url, { method = 'POST', headers = {}, body, agent, timeoutMs = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url, { method, headers, agent, timeout: timeoutMs }, (res) => {
      const headersMs = performance.now() - t0;
      let firstByteMs;
      const chunks = [];
      res.on('data', (c) => {
        firstByteMs ??= performance.now() - t0;
        chunks.push(c);
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
          headersMs,
          firstByteMs,
          totalMs: performance.now() - t0,
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sequential requests on one keep-alive connection (like wrk -c1) after `warmup` unmeasured ones;
 * resolves the per-request first-byte and total times (ms). Bounded by `count` and `maxMs`.
 */
export async function timeSequential(url, opts, { count = 300, warmup = 50, maxMs = 20_000 } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const firstByte = [];
  const total = [];
  const deadline = Date.now() + maxMs;
  try {
    for (let i = 0; i < warmup + count && Date.now() < deadline; i++) {
      const r = await send(url, { ...opts, agent });
      if (r.status !== 200) throw new Error(`HTTP ${r.status} from ${url}: ${r.text.slice(0, 200)}`);
      if (i >= warmup) {
        firstByte.push(r.firstByteMs);
        total.push(r.totalMs);
      }
    }
  } finally {
    agent.destroy();
  }
  return { firstByte, total };
}
