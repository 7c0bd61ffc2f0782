// The benchmark's cases: client dialect × upstream dialect (path) × JSON/SSE × small/large × connections.
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
export const CONNS = [50, 1];

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
      for (const size of SIZES) {
        for (const conns of CONNS)
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

/** The floor proxy (bench/floor-proxy.mjs) on the Chat → Chat path, small bodies: the reference. */
export function floorCases() {
  const path = {
    name: 'floor',
    label: 'floor proxy (Chat)',
    client: 'chat',
    model: 'chat',
    upstream: 'chat',
    passthrough: true,
  };
  const out = [];
  for (const mode of MODES)
    for (const conns of CONNS)
      out.push({
        name: caseName('floor', mode, 'small', conns),
        kind: 'floor',
        path,
        mode,
        size: 'small',
        conns,
      });
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
    for (const mode of MODES) for (const size of sizes) reqs.push(requestFor({ path, mode, size }));
  return reqs;
}
