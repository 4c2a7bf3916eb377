import { defineConfig } from 'vitest/config';

// One `npm test` runs every suite: unit specs beside the code, e2e over real sockets, and the browser.
export default defineConfig({
  test: {
    globals: true,
    root: './',
    // Nest's decorators expect the Reflect metadata API, as main.ts has it through @nestjs/core.
    setupFiles: ['reflect-metadata'],
    // Kills any server process a test left running (nginx, redis-server, node dist/main.js).
    globalSetup: ['test/global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.spec.ts'] } },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/**/*.browser-spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
