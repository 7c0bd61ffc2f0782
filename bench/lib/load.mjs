// Load generation: wrk (with bench/wrk/post.lua) when it is installed, autocannon otherwise.
// Both take the same requests file and return the same result shape.
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const LUA = fileURLToPath(new URL('../wrk/post.lua', import.meta.url));
const AUTOCANNON_RUNNER = fileURLToPath(new URL('./autocannon-runner.mjs', import.meta.url));

/** Which load tool this machine has: 'wrk' or 'autocannon'. */
export function loadTool() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return 'wrk';
  } catch (e) {
    // `wrk --version` prints its banner and exits 1; only a missing binary is ENOENT.
    return e.code === 'ENOENT' ? 'autocannon' : 'wrk';
  }
}

/** Serialise requests `{method, path, headers, body}` in the format post.lua and the autocannon runner read. */
export function encodeRequests(reqs) {
  const parts = [];
  for (const r of reqs) {
    const body = Buffer.from(r.body ?? '');
    const headers = Object.entries(r.headers ?? {});
    parts.push(
      Buffer.from(
        `${r.method ?? 'POST'} ${r.path}\n${headers.length}\n${headers.map(([k, v]) => `${k}: ${v}\n`).join('')}${body.length}\n`,
      ),
    );
    parts.push(body, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** The inverse of `encodeRequests`. */
export function decodeRequests(buf) {
  const reqs = [];
  let at = 0;
  const line = () => {
    const nl = buf.indexOf(10, at);
    const s = buf.subarray(at, nl === -1 ? buf.length : nl).toString('utf8');
    at = nl === -1 ? buf.length : nl + 1;
    return s;
  };
  while (at < buf.length) {
    const first = line();
    if (first === '') break;
    const [method, path] = first.split(' ');
    const headers = {};
    const n = Number(line());
    for (let i = 0; i < n; i++) {
      const h = line();
      const c = h.indexOf(': ');
      headers[h.slice(0, c)] = h.slice(c + 2);
    }
    const len = Number(line());
    const body = buf.subarray(at, at + len).toString('utf8');
    at += len + 1;
    reqs.push({ method, path, headers, body });
  }
  return reqs;
}

export function writeRequests(file, reqs) {
  writeFileSync(file, encodeRequests(reqs));
}

/** Parse the `BENCH_RESULT {…}` line of the runners into the common result shape. */
export function parseResult(stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) return undefined;
  const r = JSON.parse(line.slice('BENCH_RESULT '.length));
  const seconds = r.duration_us / 1e6;
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  return {
    requests: r.requests,
    seconds,
    rps: seconds > 0 ? r.requests / seconds : 0,
    errors,
    errorKinds: r.errors,
    p50Ms: r.latency_us.p50 / 1000,
    p90Ms: r.latency_us.p90 / 1000,
    p99Ms: r.latency_us.p99 / 1000,
    maxMs: r.latency_us.max / 1000,
    resolutionMs: (r.resolution_us ?? 1) / 1000,
  };
}

/**
 * Drive load against `url` for `seconds` with `connections`, sending the requests in `requestsFile`.
 * Bounded: killed (by its PID) `seconds + 20` s after start. `control.stop()` ends it early (SIGINT:
 * wrk still reports). Resolves with the parsed result (or throws with the tool's output).
 */
export function runLoad({ tool, url, connections, seconds, requestsFile, control }) {
  const args =
    tool === 'wrk'
      ? ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', LUA, url]
      : [AUTOCANNON_RUNNER, url, String(connections), String(seconds)];
  const child = spawn(tool === 'wrk' ? 'wrk' : process.execPath, args, {
    env: { ...process.env, BENCH_REQUESTS: requestsFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 20) * 1000);
  if (control) control.stop = () => child.kill('SIGINT');
  return new Promise((resolve, reject) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const r = parseResult(out);
      if (r) resolve(r);
      else reject(new Error(`${tool} exited ${code} without a result: ${(err || out).slice(-500)}`));
    });
  });
}
