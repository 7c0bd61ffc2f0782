import { setFlagsFromString } from 'node:v8';

/**
 * How far the old generation may grow past what the last full collection left live, in percent.
 * V8's own factor for a small heap is up to 4×: a gateway with 10-15 MB live grows its old
 * generation to 50-60 MB of promoted request garbage under load before it collects. 50 % keeps
 * it within half again of the live size; the full collections this adds are short (a few ms each on
 * a 10-20 MB heap, mostly concurrent marking) and few (about one a second at 50 connections).
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Tunes the V8 heap of a process that serves the gateway (the detached daemon, `start
 * --foreground`): a sidecar's memory is taken from the agents beside it. V8 reads the flag each
 * time it sets the next collection's limit, so it takes effect from the next full collection on.
 */
export function tuneHeapForServing(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
