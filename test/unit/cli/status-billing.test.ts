import { describe, expect, it } from 'vitest';
import { statusJson } from '../../../src/cli/commands/status.js';
import type { Health } from '../../../src/cli/daemon-client.js';
import type { DaemonState } from '../../../src/shared/state-file.js';

const daemon: DaemonState = {
  pid: 1,
  port: 4000,
  url: 'http://127.0.0.1:4000',
  started_at: '2026-01-01T00:00:00Z',
  config_path: null,
  version: '0.1.0',
};

function health(plan: boolean): Health {
  return {
    status: 'ok',
    version: '0.1.0',
    config_path: null,
    config_generation: 1,
    last_reload: { at: '2026-01-01T00:00:00Z', ok: true, errors: [] },
    uptime_s: 5,
    deployments: [
      {
        alias: 'claude-*',
        provider: 'claude_max',
        model: 'claude-sonnet-4-5',
        api_base: 'https://api.anthropic.com/v1',
        key: 'not_needed',
        state: 'cooling_down',
        cooldown_remaining_s: 3600,
        billing: plan ? 'plan' : 'metered',
      },
      {
        alias: 'claude-*',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        api_base: 'https://api.anthropic.com/v1',
        key: 'set',
        state: 'ok',
        billing: 'metered',
      },
    ],
    requests: { total: 4, failed: 0, plan: plan ? 1 : 0, metered: 3 },
  };
}

describe('status: plan vs metered', () => {
  it('marks subscription deployments and counts plan and metered requests', () => {
    const s = statusJson(daemon, health(true));
    expect(s.deployments![0]).toMatchObject({
      provider: 'claude_max',
      billing: 'plan',
      cooldown_remaining_s: 3600,
    });
    expect(s.deployments![1]).not.toHaveProperty('billing');
    expect(s.requests).toEqual({ total: 4, failed: 0, plan: 1, metered: 3 });
  });

  it('adds nothing when no deployment runs on a plan', () => {
    const s = statusJson(daemon, health(false));
    expect(s.requests).toEqual({ total: 4, failed: 0 });
    expect(s.deployments!.some((d) => 'billing' in d)).toBe(false);
  });
});
