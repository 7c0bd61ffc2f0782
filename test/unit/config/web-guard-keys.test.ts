import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load.js';
import { formatIssue } from '../../../src/config/format-issues.js';

const env = { OPENAI_API_KEY: 'k' };
const file = (extra: string): string =>
  `litellm:\n  providers:\n    openai: {}\n  models:\n    default: [{ provider: openai, model: gpt-4o }]\n${extra}`;

describe('litellm.allowed_hosts and litellm.allowed_origins', () => {
  it('are carried into the loaded config', () => {
    const r = loadConfigText(
      file(
        '  allowed_hosts: [gateway.internal, "localhost:8080"]\n  allowed_origins: ["http://localhost:5173"]\n',
      ),
      { env },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.loaded.config.allowedHosts).toEqual(['gateway.internal', 'localhost:8080']);
    expect(r.loaded.config.allowedOrigins).toEqual(['http://localhost:5173']);
  });

  it('refuse entries that are not a host or an origin, naming the entry', () => {
    const r = loadConfigText(
      file(
        '  allowed_hosts: ["http://x.example"]\n  allowed_origins: ["http://x.example/path", localhost]\n',
      ),
      { env },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.errors.map(formatIssue).join('\n');
    expect(lines).toMatch(/litellm\.allowed_hosts\[0\].*host name/);
    expect(lines).toMatch(/litellm\.allowed_origins\[0\].*origin/);
    expect(lines).toMatch(/litellm\.allowed_origins\[1\].*origin/);
  });
});
