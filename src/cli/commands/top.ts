import type { FeedEntry } from '../../gateway/observe/request-feed.js';
import { daemonGet, findDaemon } from '../daemon-client.js';
import { EXIT, ExitError, out, outRaw } from '../output.js';
import { table } from '../table.js';

/** What GET /ui/state answers (the fields `top` shows). */
interface UiState {
  uptime_s: number;
  requests: { total: number; failed: number; in_flight: number };
  deployments: Array<{
    alias: string;
    deployment: string;
    state: string;
    cooldown_remaining_s: number;
    in_flight: number;
    ewma_ttft_ms: number | null;
    error_rate: number | null;
  }>;
  usage: { spend: { today_usd: number; month_usd: number } } | null;
  last_reload: { at: string; ok: boolean; errors: Array<{ path: string; message: string }> };
  recent: FeedEntry[];
}

const CLEAR = '\x1b[H\x1b[2J';
const dash = (v: unknown): string => (v === undefined || v === null ? '-' : String(v));

/** The screen for one state: a deployments table and the last requests, newest first. */
export function renderTop(s: UiState, rows: number): string {
  const spend = s.usage
    ? `spend today $${s.usage.spend.today_usd.toFixed(4)}, month $${s.usage.spend.month_usd.toFixed(4)}`
    : 'spend not metered';
  const reload = s.last_reload.ok
    ? `reload ${s.last_reload.at} ok`
    : `reload ${s.last_reload.at} FAILED: ${s.last_reload.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`;
  const deployments = table(
    ['ALIAS', 'DEPLOYMENT', 'STATE', 'COOLDOWN', 'IN FLIGHT', 'TTFT MS', 'ERRORS'],
    s.deployments.map((d) => [
      d.alias,
      d.deployment,
      d.state,
      d.cooldown_remaining_s ? `${d.cooldown_remaining_s}s` : '',
      String(d.in_flight),
      dash(d.ewma_ttft_ms),
      d.error_rate === null ? '' : `${Math.round(d.error_rate * 100)}%`,
    ]),
  );
  const room = Math.max(3, rows - s.deployments.length - 9);
  const requests = table(
    ['TIME', 'ROUTE', 'KEY', 'ALIAS -> DEPLOYMENT', 'STATUS', 'TOKENS', 'COST $', 'MS', 'FB'],
    s.recent
      .slice(-room)
      .reverse()
      .map((e) => [
        e.at.slice(11, 19),
        e.route,
        dash(e.key_name),
        `${dash(e.model)} -> ${dash(e.deployment)}`,
        String(e.status),
        `${dash(e.input_tokens)}/${dash(e.output_tokens)}`,
        e.cost_usd === undefined ? '-' : e.cost_usd.toFixed(6),
        String(e.ms),
        String(e.fallbacks ?? 0),
      ]),
  );
  const head =
    `agentbox top  ${s.requests.total} requests, ${s.requests.failed} failed, ` +
    `${s.requests.in_flight} in flight, up ${s.uptime_s}s  (q quits)`;
  return `${CLEAR}${head}\n${spend}; ${reload}\n\n${deployments}\n\n${requests}`;
}

/** `agentbox litellm top`: the live page's view in the terminal, refreshed every second. */
export async function top(opts: { interval?: string }): Promise<void> {
  const daemon = await findDaemon(process.env);
  if (!daemon) {
    out('agentbox gateway is not running');
    throw new ExitError(EXIT.notRunning);
  }
  const intervalMs = Math.round(Number(opts.interval ?? '1') * 1000);
  if (!Number.isFinite(intervalMs) || intervalMs < 100)
    throw new ExitError(
      EXIT.usage,
      `--interval must be a number of seconds, at least 0.1 (got ${opts.interval})`,
    );
  const stdin = process.stdin;
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.resume();
  const onKey = (b: Buffer): void => {
    // Raw mode on a terminal; without one (`docker exec -i`) keys arrive with their newline.
    const k = b.toString();
    if (['q', 'Q', '\x03', '\x04'].some((c) => k.includes(c))) stop();
  };
  stdin.on('data', onKey);
  stdin.once('end', () => stop());
  let last = '';
  const draw = async (): Promise<void> => {
    try {
      const s = await daemonGet<UiState>(daemon, '/ui/state', { env: process.env });
      last = renderTop(s, process.stdout.rows ?? 40);
    } catch (e) {
      last = `${CLEAR}agentbox top: ${(e as Error).message}  (q quits)`;
    }
    outRaw(last);
  };
  await draw();
  const timer = setInterval(() => void draw(), intervalMs);
  await stopped;
  clearInterval(timer);
  stdin.off('data', onKey);
  if (stdin.isTTY) stdin.setRawMode(false);
  stdin.pause();
  outRaw('\n');
}
