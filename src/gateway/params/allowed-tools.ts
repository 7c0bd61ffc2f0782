import type { CanonicalRequest } from '../canonical.js';
import { GatewayError } from '../errors.js';

type Json = Record<string, unknown>;

/**
 * `tool_choice: {type: 'allowed_tools', …}` limits the model to some of the declared tools. Other
 * formats have no such choice, so the limit is carried by declaring only the allowed tools.
 * `list` is the allowed tools as sent (Chat nests the name under `function`/`custom`, Responses
 * does not); an allowed name that was never declared is refused naming `param`.
 */
export function restrictToAllowed(req: CanonicalRequest, list: unknown, param: string): void {
  if (!Array.isArray(list) || req.tools === undefined) return;
  const names = new Set<string>();
  for (const t of list as Json[]) {
    const inner = (t?.function ?? t?.custom ?? t) as Json | undefined;
    if (typeof inner?.name === 'string') names.add(inner.name);
  }
  for (const n of names)
    if (!req.tools.some((t) => t.name === n))
      throw new GatewayError('invalid_request', `${param}: "${n}" is not among the declared tools`, {
        param,
      });
  req.tools = req.tools.filter((t) => names.has(t.name));
}
