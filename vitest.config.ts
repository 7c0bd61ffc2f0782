import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Integration and e2e tests start daemons and fake upstreams on port 0; two cores here.
    maxWorkers: 2,
    // Every spliced passthrough body is checked against a full serialisation (src/gateway/upstream/json-splice.ts).
    env: { AGENTBOX_VERIFY_SPLICE: '1' },
  },
});
