import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * The contract suites: the app in process, every event and error over a real socket. `e2e` runs them on the
 * memory engine; they run again on Nest's own gateway handlers and on the embedded database.
 */
const CONTRACT_SUITES = [
  'auth',
  'compression',
  'conversations',
  'dev-identity',
  'direct-messages',
  'errors',
  'extending-gateway',
  'history-recovery',
  'host-identity',
  'hostile-input',
  'limits',
  'members',
  'messages',
  'moderation',
  'operations',
  'ping',
  'relay',
  'reply-caps',
  'rooms-presence',
  'typing',
];

// One `npm test` runs every suite: unit specs beside the code, e2e over real sockets, and the browser.
export default defineConfig({
  test: {
    globals: true,
    root: './',
    // Vitest's default is one worker fewer than the cores: one on a 2-core machine, where the e2e specs
    // mostly wait on sockets, timers and child processes. One more worker than cores: 9 min instead of 14.5.
    maxWorkers: availableParallelism() + 1,
    // Nest's decorators expect the Reflect metadata API, as main.ts has it through @nestjs/core.
    setupFiles: ['reflect-metadata'],
    // Kills any server process a test left running (nginx, redis-server, node dist/main.js).
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.spec.ts', 'packages/*/src/**/*.spec.ts'] },
      },
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
        // The contract suites again, on Nest's own gateway handlers (GATEWAY_FAST_PATH=false, which
        // test/utils/test-app.ts gives every test app): the wire must not tell the two paths apart, and a
        // Nest upgrade that breaks the lean path fails in `e2e` while this project stays green.
        extends: true,
        test: {
          name: 'e2e-nest-path',
          include: CONTRACT_SUITES.map((suite) => `test/${suite}.e2e-spec.ts`),
          env: { GATEWAY_FAST_PATH: 'false' },
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        // The contract suites again, each test app on a fresh SQLite file (TEST_DATABASE=sqlite, which
        // test/utils/test-app.ts reads): the default configuration of `npm start` speaks the same contract.
        extends: true,
        test: {
          name: 'e2e-sqlite',
          include: CONTRACT_SUITES.map((suite) => `test/${suite}.e2e-spec.ts`),
          env: { TEST_DATABASE: 'sqlite' },
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
