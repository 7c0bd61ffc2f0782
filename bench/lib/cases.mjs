// The benchmark's cases: client dialect × upstream dialect (path) × JSON/SSE × body size × connections.
// Sizes: small, large (the ~100 KB Claude Code capture) and, for the passthrough paths and the floor,
// huge (a ~1 MB conversation). One connection (added latency against the upstream called directly)
// is measured for small bodies.
import { requestBody, requestTarget } from './bodies.mjs';

/** Each path: what the client speaks, the alias it asks for, and what the upstream behind it speaks. */
export const PATHS = [
  {
    name: 'chat-chat',
    label: 'Chat → Chat',
    client: 'chat',
    model: 'chat',
    upstream: 'chat',
    passthrough: true,
  },
  {
    name: 'msgs-msgs',
    label: 'Messages → Messages',
    client: 'messages',
    model: 'claude',
    upstream: 'messages',
    passthrough: true,
  },
  {
    name: 'msgs-chat',
    label: 'Messages → Chat',
    client: 'messages',
    model: 'chat',
    upstream: 'chat',
    passthrough: false,
  },
  {
    name: 'resp-chat',
    label: 'Responses → Chat',
    client: 'responses',
    model: 'chat',
    upstream: 'chat',
    passthrough: false,
  },
  {
    name: 'chat-msgs',
    label: 'Chat → Messages',
    client: 'chat',
    model: 'claude',
    upstream: 'messages',
    passthrough: false,
  },
];
export const MODES = ['json', 'sse'];
export const SIZES = ['small', 'large'];
/** The sizes a path is measured with: passthrough paths also carry the 1 MB conversation. */
export const sizesFor = (path) => (path.passthrough ? [...SIZES, 'huge'] : SIZES);
/** Connections a size is measured with. */
export const connsFor = (size) => (size === 'small' ? [50, 1] : [50]);

/** The passthrough path with the same upstream dialect (what a translating path is compared with). */
export function passthroughFor(path) {
  return PATHS.find((p) => p.passthrough && p.upstream === path.upstream);
}

export function caseName(path, mode, size, conns) {
  return `${path}.${mode}.${size}.c${conns}`;
}

/** Every gateway case, in table order. */
export function gatewayCases() {
  const out = [];
  for (const path of PATHS) {
    for (const mode of MODES) {
      for (const size of sizesFor(path)) {
        for (const conns of connsFor(size))
          out.push({
            name: caseName(path.name, mode, size, conns),
            kind: 'gateway',
            path,
            mode,
            size,
            conns,
          });
      }
    }
  }
  return out;
}

/** The direct case (client → upstream, no gateway) a 1-connection gateway case is compared with. */
export function directCaseFor(c) {
  const up = c.path.upstream;
  const path = {
    name: `direct-${up === 'chat' ? 'chat' : 'msgs'}`,
    label: `direct ${up}`,
    client: up,
    model: 'bench-direct',
    upstream: up,
  };
  return {
    name: caseName(path.name, c.mode, c.size, 1),
    kind: 'direct',
    path,
    mode: c.mode,
    size: c.size,
    conns: 1,
  };
}

/**
 * The floor proxy (bench/floor-proxy.mjs): the least a Node proxy does, for each passthrough path
 * (Chat and Messages bodies) and every size and connection count the passthrough is measured
 * with: the reference rows (at 1 connection, what a minimal proxy adds to the latency).
 */
export const FLOOR_PATHS = [
  {
    name: 'floor',
    label: 'floor proxy (Chat)',
    client: 'chat',
    model: 'chat',
    upstream: 'chat',
    passthrough: true,
    floor: true,
  },
  {
    name: 'floor-msgs',
    label: 'floor proxy (Messages)',
    client: 'messages',
    model: 'claude',
    upstream: 'messages',
    passthrough: true,
    floor: true,
  },
];

/** The floor path a gateway path is compared with (same client dialect), if any. */
export const floorFor = (path) =>
  FLOOR_PATHS.find((f) => f.client === path.client && f.upstream === path.upstream);

export function floorCases() {
  const out = [];
  for (const path of FLOOR_PATHS)
    for (const mode of MODES)
      for (const size of sizesFor(path))
        for (const conns of connsFor(size))
          out.push({ name: caseName(path.name, mode, size, conns), kind: 'floor', path, mode, size, conns });
  return out;
}

/** True when a case name matches any of the comma-separated filters (substrings). */
export function matches(name, filter) {
  if (!filter) return true;
  return filter.split(',').some((f) => f && name.includes(f.trim()));
}

/** The request a case sends: `{method, path, headers, body}`. */
export function requestFor(c) {
  const t = requestTarget(c.path.client, c.size);
  return {
    method: 'POST',
    path: t.path,
    headers: t.headers,
    body: requestBody(c.path.client, c.size, c.mode === 'sse', c.path.model),
  };
}

/** What a complete reply of the client dialect ends with (checked once before each run). */
export function completeMarker(dialect, mode) {
  if (mode === 'json')
    return dialect === 'chat' ? '"choices"' : dialect === 'messages' ? '"content"' : '"output"';
  return dialect === 'chat'
    ? 'data: [DONE]'
    : dialect === 'messages'
      ? 'event: message_stop'
      : 'response.completed';
}

/** One request of every path × mode × size (or only small ones), for mixed load (soak, reload). */
export function mixedRequests({ sizes = SIZES } = {}) {
  const reqs = [];
  for (const path of PATHS)
    for (const mode of MODES)
      for (const size of sizes.filter((z) => sizesFor(path).includes(z)))
        reqs.push(requestFor({ path, mode, size }));
  return reqs;
}
