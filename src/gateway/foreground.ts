import type { LoadedConfig } from '../config/types.js';
import { startGateway, type Gateway } from './daemon.js';

/** Serve in this process until SIGTERM/SIGINT, then drain in-flight requests and exit. */
export async function runForeground(loaded: LoadedConfig): Promise<Gateway> {
  const gw = await startGateway(loaded);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void gw.stop().finally(() => {
      process.exitCode = 0;
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return gw;
}
