import { loadConfigText } from '../../src/config/load.js';
import type { Env } from '../../src/config/env.js';
import type { Gateway } from '../../src/gateway/daemon.js';
import { startTestGateway } from './gateway.js';

/** An in-process gateway on a free port from a `litellm:` YAML text and an environment (no file, no process.env). */
export async function startYamlGateway(yaml: string, env: Env): Promise<Gateway> {
  const r = loadConfigText(yaml, { env, port: 0 });
  if (!r.ok) throw new Error(`test config invalid: ${JSON.stringify(r.errors)}`);
  return startTestGateway(r.loaded);
}
