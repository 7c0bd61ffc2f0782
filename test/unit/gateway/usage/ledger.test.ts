import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SpendRecord } from '../../../../src/gateway/usage/ledger-format.js';
import { allRows, readSpend } from '../../../../src/gateway/usage/ledger-read.js';
import { Ledger } from '../../../../src/gateway/usage/ledger.js';
import { silentLogger } from '../../../../src/shared/log.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentbox-ledger-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const rec = (over: Partial<SpendRecord> = {}): SpendRecord => ({
  ts: Date.UTC(2026, 2, 3, 12),
  id: 'req_1',
  key: 'claude',
  alias: 'code',
  deployment: 'anthropic/claude-sonnet-4-5',
  route: '/v1/messages',
  status: 200,
  stream: true,
  input_tokens: 10,
  output_tokens: 5,
  cache_read_tokens: 100,
  cache_write_tokens: 0,
  usd: 0.25,
  ...over,
});

describe('the spend ledger', () => {
  it('appends one JSON line per record and reads totals by day, key, alias and deployment', async () => {
    const l = new Ledger({ dir, log: silentLogger() });
    for (let i = 0; i < 5; i++) l.append(rec({ id: `r${i}` }));
    l.append(rec({ key: 'codex', alias: 'default', deployment: 'openai/gpt-4o', usd: null }));
    l.append(rec({ ts: Date.UTC(2026, 2, 4, 1), usd: 1 }));
    await l.flush();
    const days = await readSpend(dir);
    expect([...days.keys()]).toEqual(['2026-03-03', '2026-03-04']);
    const rows = allRows(days);
    expect(rows.find((r) => r.key === 'claude' && r.day === '2026-03-03')).toMatchObject({
      requests: 5,
      input_tokens: 50,
      output_tokens: 25,
      cache_read_tokens: 500,
      usd: 1.25,
    });
    expect(rows.find((r) => r.key === 'codex')).toMatchObject({ requests: 1, usd: 0, unpriced_requests: 1 });
    expect((await readSpend(dir, { since: '2026-03-04' })).size).toBe(1);
    await l.close();
  });

  it('skips a torn last line (a daemon killed mid-write) and anything unparsable', async () => {
    const l = new Ledger({ dir, log: silentLogger() });
    l.append(rec({ id: 'a' }));
    l.append(rec({ id: 'b' }));
    await l.flush();
    const dayDir = join(dir, '2026-03-03');
    const file = join(
      dayDir,
      readdirSync(dayDir).find((f) => f.endsWith('.jsonl'))!,
    );
    appendFileSync(file, JSON.stringify(rec({ id: 'torn', usd: 100 })).slice(0, 60));
    const rows = allRows(await readSpend(dir));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ requests: 2, usd: 0.5 });
    await l.close();
  });

  it('writes a sum per file on close; a restart reads the sum plus the lines after it', async () => {
    const l = new Ledger({ dir, log: silentLogger() });
    for (let i = 0; i < 3; i++) l.append(rec({ id: `r${i}` }));
    await l.close();
    const dayDir = join(dir, '2026-03-03');
    const sumFile = join(
      dayDir,
      readdirSync(dayDir).find((f) => f.endsWith('.sum.json'))!,
    );
    const sum = JSON.parse(readFileSync(sumFile, 'utf8'));
    expect(sum.rows[0]).toMatchObject({ requests: 3, usd: 0.75 });
    // Lines appended after the sum (as after a kill -9) are counted; the sum is trusted for the rest.
    const jsonl = sumFile.replace('.sum.json', '.jsonl');
    appendFileSync(jsonl, `${JSON.stringify(rec({ id: 'late' }))}\n`);
    writeFileSync(sumFile, JSON.stringify({ ...sum, rows: [{ ...sum.rows[0], usd: 7 }] }));
    expect(allRows(await readSpend(dir))[0]).toMatchObject({ requests: 4, usd: 7.25 });
    // A second run writes its own file; both count.
    const l2 = new Ledger({ dir, log: silentLogger() });
    l2.append(rec({ id: 'second-run' }));
    await l2.close();
    expect(readdirSync(dayDir).filter((f) => f.endsWith('.jsonl'))).toHaveLength(2);
    expect(allRows(await readSpend(dir))[0]).toMatchObject({ requests: 5, usd: 7.5 });
  });

  it('never throws into the request path when the directory cannot be written', async () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const l = new Ledger({ dir: blocker, log: silentLogger() });
    l.append(rec());
    await l.flush();
    expect(l.lastError).toBeTruthy();
    await l.close();
  });
});
