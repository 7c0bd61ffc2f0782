import type { PathSegment } from '../format-issues.js';
import type { ConfigIssue } from '../types.js';
import { isObj } from './deployment.js';
import type { IgnoredList } from './ignored.js';

/**
 * `router_settings`, `litellm_settings` and `general_settings` → the parts of agentbox's
 * `litellm:` section they mean. Keys that guard access and cannot be honoured are errors (the
 * start is refused); every other key without an agentbox meaning goes to the ignored list.
 */

type Obj = Record<string, unknown>;

export const ROUTING_STRATEGIES: Readonly<Record<string, string>> = {
  'simple-shuffle': 'weighted',
  'least-busy': 'least_busy',
  'latency-based-routing': 'latency',
  'usage-based-routing': 'usage',
  'usage-based-routing-v2': 'usage',
  'cost-based-routing': 'cost',
};

/** Keys read by the fallback mapping (fallbacks.ts) or model_group_alias, not here. */
export const ROUTING_KEYS = new Set([
  'fallbacks',
  'context_window_fallbacks',
  'content_policy_fallbacks',
  'default_fallbacks',
  'model_group_alias',
]);

/** Access guards agentbox cannot enforce: ignoring one would open the gateway wider than the file says. */
const REFUSED_GENERAL: Readonly<Record<string, string>> = {
  custom_auth: 'custom auth code is not run by agentbox',
  enable_jwt_auth: 'agentbox does not verify JWTs',
  litellm_jwtauth: 'agentbox does not verify JWTs',
  allowed_ips: 'agentbox does not filter client IPs',
  allowed_routes: 'agentbox does not restrict routes per key',
  admin_only_routes: 'agentbox does not restrict routes per key',
  enforce_user_param: 'agentbox does not require the user parameter',
  litellm_key_header_name: 'agentbox reads keys from Authorization and x-api-key only',
};

const REASONS: Readonly<Record<string, string>> = {
  success_callback: 'agentbox has no callback integrations; use /metrics',
  failure_callback: 'agentbox has no callback integrations; use /metrics',
  callbacks: 'agentbox has no callback integrations; use /metrics',
  set_verbose: 'set LITELLM_LOG_LEVEL=debug for verbose logs',
  json_logs: 'the daemon log is always JSON lines',
  database_url:
    'keys are not read from a database: only master_key is accepted, so keys issued there get 401',
  store_model_in_db: 'models are read from this file only',
  alerting: 'agentbox has no alerting integrations; use /metrics',
  retry_after: 'agentbox waits for the upstream Retry-After instead of a fixed minimum',
  routing_strategy_args: 'the routing strategy has no arguments in agentbox',
};

export interface SettingsResult {
  section: Obj;
  router: Obj;
  errors: ConfigIssue[];
}

export function convertSettings(doc: Obj, ignored: IgnoredList): SettingsResult {
  const router: Obj = {};
  const section: Obj = {};
  const errors: ConfigIssue[] = [];
  const rs = obj(doc.router_settings);
  const ls = obj(doc.litellm_settings);
  const gs = obj(doc.general_settings);
  const num = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) router[key] = value;
  };

  for (const [key, value] of Object.entries(ls)) {
    const path: PathSegment[] = ['litellm_settings', key];
    if (ROUTING_KEYS.has(key)) continue;
    if (key === 'drop_params') section.drop_params = value;
    else if (key === 'num_retries' && rs.num_retries === undefined) num('num_retries', value);
    else if (key === 'request_timeout' && rs.timeout === undefined) num('timeout', value);
    else if (key === 'allowed_fails' && rs.allowed_fails === undefined) num('allowed_fails', value);
    else if (key === 'cache' || key === 'cache_params') continue;
    else if (['num_retries', 'request_timeout', 'allowed_fails'].includes(key))
      ignored.add(path, value, `router_settings.${key === 'request_timeout' ? 'timeout' : key} wins`);
    else ignored.add(path, value, REASONS[key] ?? 'agentbox has no such setting');
  }
  convertCache(ls, section, ignored);

  const redis: Obj = {};
  for (const [key, value] of Object.entries(rs)) {
    const path: PathSegment[] = ['router_settings', key];
    if (ROUTING_KEYS.has(key)) continue;
    if (key === 'routing_strategy') {
      const s = typeof value === 'string' ? ROUTING_STRATEGIES[value] : undefined;
      if (s) router.strategy = s;
      else
        errors.push({
          path: 'router_settings.routing_strategy',
          message: `unknown strategy ${JSON.stringify(value)}; one of ${Object.keys(ROUTING_STRATEGIES).join(', ')}`,
        });
    } else if (key === 'num_retries' || key === 'timeout' || key === 'allowed_fails') num(key, value);
    else if (key === 'cooldown_time') num('cooldown', value);
    else if (key === 'enable_pre_call_checks' && typeof value === 'boolean')
      router.enable_pre_call_checks = value;
    else if (['redis_host', 'redis_port', 'redis_password', 'redis_url'].includes(key)) redis[key] = value;
    else ignored.add(path, value, REASONS[key] ?? 'agentbox has no such router setting');
  }
  if (rs.routing_strategy === undefined) router.strategy = 'weighted';
  const url = redisUrl(redis);
  if (url) section.redis_url = url;

  for (const [key, value] of Object.entries(gs)) {
    const path: PathSegment[] = ['general_settings', key];
    if (key === 'master_key') section.master_key = value;
    else if (key === 'max_request_size_mb') {
      if (typeof value === 'number' && value > 0) section.max_body_bytes = Math.round(value * 1024 * 1024);
      else
        errors.push({
          path: 'general_settings.max_request_size_mb',
          message: 'expected a positive number of megabytes',
        });
    } else if (Object.hasOwn(REFUSED_GENERAL, key) && value !== false && value !== null) {
      errors.push({
        path: `general_settings.${key}`,
        message: `${REFUSED_GENERAL[key]}; remove it, or keep using LiteLLM for this file (agentbox refuses to start rather than accept requests the file would reject)`,
      });
    } else ignored.add(path, value, REASONS[key] ?? 'agentbox has no such server setting');
  }
  return { section, router, errors };
}

/** `cache: true` + `cache_params` → agentbox's response cache (memory for `local`, Redis for `redis`). */
function convertCache(ls: Obj, section: Obj, ignored: IgnoredList): void {
  const params = obj(ls.cache_params);
  if (ls.cache !== true) {
    if (ls.cache_params !== undefined)
      ignored.add(['litellm_settings', 'cache_params'], ls.cache_params, 'cache is not true');
    return;
  }
  const type = params.type ?? 'local';
  if (type !== 'local' && type !== 'redis') {
    ignored.add(
      ['litellm_settings', 'cache_params', 'type'],
      type,
      'agentbox caches in memory (local) or Redis only; no cache is used',
    );
    return;
  }
  const cache: Obj = { type: type === 'local' ? 'memory' : 'redis' };
  const redis: Obj = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === 'type') continue;
    if (key === 'ttl') cache.ttl = value;
    else if (type === 'redis' && ['host', 'port', 'password', 'url'].includes(key))
      redis[`redis_${key}`] = value;
    else
      ignored.add(
        ['litellm_settings', 'cache_params', key],
        value,
        'agentbox caches identical non-streaming requests; it has no such cache setting',
      );
  }
  section.cache = cache;
  const url = redisUrl(redis);
  if (url && section.redis_url === undefined) section.redis_url = url;
}

/** redis_url, or redis://[:password@]host[:port] from the parts (each may be a `${VAR}` reference). */
function redisUrl(r: Obj): string | undefined {
  if (typeof r.redis_url === 'string') return r.redis_url;
  if (r.redis_host === undefined) return undefined;
  const auth = r.redis_password !== undefined ? `:${String(r.redis_password)}@` : '';
  const port = r.redis_port !== undefined ? `:${String(r.redis_port)}` : '';
  return `redis://${auth}${String(r.redis_host)}${port}`;
}

function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}
