import { Document, isSeq } from 'yaml';
import type { ConfigIssue } from '../types.js';
import { parseYaml } from '../yaml-text.js';
import { convertLitellmProxy, isLitellmProxyConfig, type LitellmConversion } from './convert.js';
import { formatIgnored } from './ignored.js';

/**
 * `agentbox config import`: a LiteLLM proxy file → the text of an agentbox config with the same
 * routing. Secrets stay `${VAR}` references; each deployment that could not be carried over and
 * each ignored key is a comment where it belongs (at its chain entry, else at the top).
 * `environment_variables` become `${VAR:-value}` defaults, except secret-looking ones, which are
 * left for the environment or the `.env` beside the file (and named in a comment).
 */

export interface ImportResult {
  text: string;
  aliases: number;
  deployments: number;
  unsupported: number;
  ignored: number;
}

const SECRET_NAME = /KEY|SECRET|PASSWORD|TOKEN|CREDENTIAL/i;

export function importLitellmProxy(
  source: string,
  file: string,
): { ok: true; result: ImportResult } | { ok: false; errors: ConfigIssue[] } {
  const parsed = parseYaml(source, file);
  if (!parsed.ok) return parsed;
  const doc = parsed.value;
  if (
    !doc ||
    typeof doc !== 'object' ||
    Array.isArray(doc) ||
    !isLitellmProxyConfig(doc as Record<string, unknown>)
  ) {
    return {
      ok: false,
      errors: [
        {
          path: file,
          message:
            'not a LiteLLM proxy config (no model_list, router_settings, litellm_settings or general_settings at the top level, or it already has litellm:)',
        },
      ],
    };
  }
  const conv = convertLitellmProxy(doc as Record<string, unknown>);
  if (conv.errors.length) return { ok: false, errors: conv.errors };
  const used = JSON.stringify(conv.section);
  const secrets = Object.keys(conv.environment).filter(
    (k) => SECRET_NAME.test(k) && used.includes(`\${${k}}`),
  );
  const section = withDefaults(conv.section, conv.environment, new Set(secrets)) as Record<string, unknown>;

  const out = new Document({ litellm: { enabled: true, ...section } });
  const top = [
    ` Converted from ${file} by agentbox config import; same aliases, chains and fallbacks.`,
    ...(secrets.length
      ? [
          ` Set ${secrets.join(', ')} in the environment or in .env beside this file (environment_variables of the LiteLLM file).`,
        ]
      : []),
  ];
  const unplaced: string[] = [];
  const placed = commentChains(out, conv, unplaced);
  const rest = conv.ignored.filter((i) => !placed.has(i));
  if (rest.length || unplaced.length)
    top.push(
      ' Not carried over:',
      ...unplaced.map((l) => `  ${l}`),
      ...rest.map((i) => `   ${formatIgnored(i)}`),
    );
  out.commentBefore = top.join('\n');
  const deployments = Object.values(conv.section.models as Record<string, unknown[]>).reduce(
    (n, c) => n + c.length,
    0,
  );
  return {
    ok: true,
    result: {
      text: out.toString({ lineWidth: 0 }),
      aliases: Object.keys(conv.section.models as object).length,
      deployments,
      unsupported: conv.unsupported.length,
      ignored: conv.ignored.length,
    },
  };
}

/** Comments at each chain entry for its deployment's ignored keys, and where an unsupported one was. */
function commentChains(out: Document, conv: LitellmConversion, unplaced: string[]): Set<unknown> {
  const placed = new Set<unknown>();
  for (const alias of conv.aliases) {
    const seq = out.getIn(['litellm', 'models', alias], true);
    const notes = conv.unsupported
      .filter((u) => u.alias === alias)
      .map((u) => ` ${u.source} ${u.provider}/${u.model}: not carried over: ${u.reason}`);
    if (!isSeq(seq)) {
      unplaced.push(` alias ${alias} is left out: no deployment of it can be served by agentbox`, ...notes);
      continue;
    }
    conv.sources[alias].forEach((src, i) => {
      const mine = src.own
        ? conv.ignored.filter(
            (g) => g.path.startsWith(`model_list[${src.index}].`) || g.path === `model_list[${src.index}]`,
          )
        : [];
      for (const g of mine) placed.add(g);
      const lines = mine.map((g) => ` ${formatIgnored(g)}`);
      const node = seq.items[i] as { commentBefore?: string };
      if (lines.length) node.commentBefore = lines.join('\n');
    });
    if (notes.length) seq.commentBefore = notes.join('\n');
  }
  return placed;
}

/** `${VAR}` → `${VAR:-value}` for the file's environment_variables (not the secret-looking ones). */
function withDefaults(v: unknown, env: Record<string, string>, secrets: ReadonlySet<string>): unknown {
  if (typeof v === 'string') {
    return v.replace(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (ref, name: string) =>
      Object.hasOwn(env, name) && !secrets.has(name) && !env[name].includes('}')
        ? `\${${name}:-${env[name]}}`
        : ref,
    );
  }
  if (Array.isArray(v)) return v.map((x) => withDefaults(x, env, secrets));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withDefaults(x, env, secrets)]));
  return v;
}
