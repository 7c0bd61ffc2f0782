#!/usr/bin/env node
// Whether the gateway should start with the container: loads the config the way the daemon does
// (AGENTBOX_CONFIG, XDG/HOME defaults, .env) and reads `litellm.enabled`.
// Prints one line; exit 0 enabled, 1 disabled, 2 invalid config.
import { loadConfig } from '../dist/config/load.js';

const result = await loadConfig({ env: process.env });
if (!result.ok) {
  const first = result.errors[0];
  process.stdout.write(
    `invalid config${result.path ? ` ${result.path}` : ''}: ${first ? `${first.path}: ${first.message}` : 'unknown problem'}` +
      `${result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : ''}\n`,
  );
  process.exitCode = 2;
} else {
  const where = result.loaded.path ?? '(embedded defaults)';
  process.stdout.write(`${result.loaded.config.enabled ? 'enabled' : 'disabled'} in ${where}\n`);
  process.exitCode = result.loaded.config.enabled ? 0 : 1;
}
