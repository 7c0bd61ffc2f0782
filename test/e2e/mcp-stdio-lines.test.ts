import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `agentbox mcp` (the built bin) fed raw lines: every line gets an answer, and neither garbage nor
 * a line over 10 MB ends the server.
 */
const BIN = fileURLToPath(new URL('../../bin/agentbox.js', import.meta.url));

describe('agentbox mcp on stdio: malformed and huge lines', () => {
  let home: string;
  let child: ChildProcessWithoutNullStreams;
  let out = '';
  let exited: number | null | undefined;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'agentbox-mcp-lines-'));
    child = spawn(process.execPath, [BIN, 'mcp'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        AGENTBOX_STATE_DIR: join(home, 'state'),
        XDG_CONFIG_HOME: join(home, 'config'),
      },
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    child.on('exit', (code) => (exited = code));
  });
  afterAll(async () => {
    if (exited === undefined) child.kill('SIGTERM');
    await rm(home, { recursive: true, force: true });
  });

  /** The next answer line (bounded wait), parsed. */
  const nextAnswer = async (): Promise<any> => {
    for (let i = 0; i < 200; i++) {
      const nl = out.indexOf('\n');
      if (nl !== -1) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        return JSON.parse(line);
      }
      if (exited !== undefined) throw new Error(`agentbox mcp exited with ${exited}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no answer within 10 s');
  };
  const send = (line: string | Buffer): void => {
    child.stdin.write(line);
  };

  it('a malformed JSON-RPC line is answered with a JSON-RPC parse error', async () => {
    send('{"jsonrpc": "2.0", "id": 1, "method": \n');
    const a = await nextAnswer();
    expect(a).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    expect(a.error.message).toMatch(/^Parse error/);
  });

  it('JSON that is not a JSON-RPC message is an invalid request, with its id', async () => {
    send('{"id": 9, "hello": "world"}\n');
    expect(await nextAnswer()).toMatchObject({ id: 9, error: { code: -32600 } });
  });

  it('a request on a line over 10 MB is served, and the server keeps answering', async () => {
    const pad = 'x'.repeat(11 * 1024 * 1024);
    send(`{"jsonrpc":"2.0","id":2,"method":"ping","params":{"_meta":{"pad":"${pad}"}}}\n`);
    expect(await nextAnswer()).toEqual({ jsonrpc: '2.0', id: 2, result: {} });
  });

  it('a line over the 32 MB line limit is answered with an error and skipped, not fatal', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'y');
    for (let i = 0; i < 33; i++) send(chunk);
    send('\n');
    const a = await nextAnswer();
    expect(a).toMatchObject({ id: null, error: { code: -32600 } });
    expect(a.error.message).toMatch(/at most 33554432/);
    send('{"jsonrpc":"2.0","id":3,"method":"ping"}\n');
    expect(await nextAnswer()).toEqual({ jsonrpc: '2.0', id: 3, result: {} });
    expect(exited).toBeUndefined();
  });
});
