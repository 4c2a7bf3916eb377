import { defineConfig } from 'vitest/config';

/** The contract suites: the app in process on the memory engine, every event and error over a real socket. */
const NEST_PATH_SUITES = [
  'auth',
  'compression',
  'conversations',
  'dev-identity',
  'direct-messages',
  'errors',
  'extending-gateway',
  'history-recovery',
  'hostile-input',
  'limits',
  'members',
  'messages',
  'operations',
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
        // The contract suites again, on Nest's own gateway handlers (GATEWAY_FAST_PATH=false, which
        // test/utils/test-app.ts gives every test app): the wire must not tell the two paths apart, and a
        // Nest upgrade that breaks the lean path fails in `e2e` while this project stays green.
        extends: true,
        test: {
          name: 'e2e-nest-path',
          include: NEST_PATH_SUITES.map((suite) => `test/${suite}.e2e-spec.ts`),
          env: { GATEWAY_FAST_PATH: 'false' },
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
