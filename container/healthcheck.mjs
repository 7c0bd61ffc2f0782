#!/usr/bin/env node
// The container HEALTHCHECK: GET /health/liveliness on the gateway named by the state file
// (else 127.0.0.1:$LITELLM_PORT, default 4000). Exit 0 healthy, 1 not.
/* global fetch, AbortSignal */
import { readFile } from 'node:fs/promises';
import { stateFile } from '../dist/shared/paths.js';

let url = `http://127.0.0.1:${process.env.LITELLM_PORT || 4000}`;
try {
  const state = JSON.parse(await readFile(stateFile(process.env), 'utf8'));
  if (typeof state.url === 'string') url = state.url.replace('//0.0.0.0:', '//127.0.0.1:');
} catch {
  // no state file: the default address
}
try {
  const res = await fetch(`${url}/health/liveliness`, { signal: AbortSignal.timeout(4000) });
  process.exitCode = res.ok ? 0 : 1;
} catch {
  process.exitCode = 1;
}
