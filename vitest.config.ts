import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Integration and e2e tests start daemons and fake upstreams on port 0; two cores here.
    maxWorkers: 2,
  },
});
