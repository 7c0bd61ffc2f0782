import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { LitellmConfig } from '../../../../src/config/types.js';
import { assertMayUse, identify, visibleTo } from '../../../../src/gateway/usage/keys.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const cfg = (over: Partial<LitellmConfig>) =>
  ({ models: [], providers: {}, ...over }) as unknown as LitellmConfig;
const keys = {
  claude: { name: 'claude', key: 'sk-claude-1', keyState: 'set' as const, models: ['claude-*', 'code'] },
  codex: { name: 'codex', key: 'sk-codex-1', keyState: 'set' as const, models: ['default'] },
  off: { name: 'off', keyState: 'missing' as const },
};

describe('virtual keys', () => {
  it('accepts anything without keys or master key, only the master key with it', () => {
    expect(identify(req({}), cfg({}))).toEqual({ name: null });
    expect(identify(req({ authorization: 'Bearer m' }), cfg({ masterKey: 'm' }))).toEqual({ name: 'master' });
    expect(() => identify(req({ 'x-api-key': 'x' }), cfg({ masterKey: 'm' }))).toThrow('invalid API key');
  });

  it('with keys, accepts only those keys and the master key (401 otherwise), by name', () => {
    const c = cfg({ keys, masterKey: 'master-1' });
    expect(identify(req({ authorization: 'Bearer sk-claude-1' }), c)).toMatchObject({ name: 'claude' });
    expect(identify(req({ 'x-api-key': 'sk-codex-1' }), c)).toMatchObject({ name: 'codex' });
    expect(identify(req({ 'x-api-key': 'master-1' }), c)).toEqual({ name: 'master' });
    expect(() => identify(req({ 'x-api-key': 'sk-other' }), c)).toThrow(
      expect.objectContaining({ status: 401 }),
    );
    expect(() => identify(req({}), c)).toThrow(expect.objectContaining({ code: 'auth_failed' }));
    // without a master key too: keys are required
    expect(() => identify(req({}), cfg({ keys }))).toThrow(expect.objectContaining({ status: 401 }));
  });

  it('limits models by alias or glob; 403 names the model, not the key', () => {
    const claude = { name: 'claude', key: keys.claude };
    expect(() => assertMayUse(claude, 'claude-sonnet-4-5', 'claude-*')).not.toThrow();
    expect(() => assertMayUse(claude, 'code', 'code')).not.toThrow();
    let err: any;
    try {
      assertMayUse(claude, 'default', 'default');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ status: 403, code: 'permission_denied' });
    expect(err.message).toContain('"default"');
    expect(err.message).not.toContain('claude');
    expect(err.message).not.toContain('sk-claude-1');
    const visible = visibleTo(claude);
    expect(['default', 'code', 'fast'].filter(visible)).toEqual(['code']);
    expect(['default', 'code'].filter(visibleTo({ name: 'master' }))).toEqual(['default', 'code']);
  });
});
