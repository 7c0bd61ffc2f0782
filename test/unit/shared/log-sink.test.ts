import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { batchedFileSink, isRegularFile } from '../../../src/shared/log-sink.js';
import { createLogger } from '../../../src/shared/log.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('batched log file sink', () => {
  it('writes the lines of one event-loop turn together, in order, right after it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-sink-'));
    const file = join(dir, 'log');
    const fd = openSync(file, 'a');
    const sink = batchedFileSink(fd);
    sink.write('one\n');
    sink.write('two — ü\n');
    expect(readFileSync(file, 'utf8')).toBe('');
    await new Promise((r) => setImmediate(r));
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo — ü\n');
    sink.write('three\n');
    sink.flushSync();
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo — ü\nthree\n');
    closeSync(fd);
  });

  it('is what the logger uses for a log file: request lines land without a flush call', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentbox-sink-'));
    const file = join(dir, 'daemon.log');
    const log = createLogger({ file, level: 'info' });
    log.info({ id: 'req_1', api_key: 'sk-secret' }, 'request');
    await new Promise((r) => setImmediate(r));
    const line = JSON.parse(readFileSync(file, 'utf8').trim());
    expect(line).toMatchObject({ id: 'req_1', msg: 'request', api_key: '[redacted]' });
    const fd = openSync(file, 'r');
    expect(isRegularFile(fd)).toBe(true);
    closeSync(fd);
  });
});
