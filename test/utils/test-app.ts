import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import { appConfig, parseEnvironment } from '../../src/config/app-config.js';
import type { EnvironmentSchema } from '../../src/config/environment.schema.js';
import { createTestDatabase, type DatabaseKind } from './database.js';
import { TestClient, type ConnectOptions } from './test-client.js';

/** Environment overrides for one test app, by key. */
export type TestEnv = Partial<Record<keyof EnvironmentSchema, string>>;

/** A running app on an ephemeral port: the real `AppModule` configured exactly as `main.ts` configures it, or a host. */
export interface TestApp {
  app: INestApplication;
  port: number;
  /** `http://127.0.0.1:<port>` */
  httpUrl: string;
  /** `ws://127.0.0.1:<port>/` */
  wsUrl: string;
  /** Opens a client and waits for it to be open; it is closed by `close()`. */
  connect(options?: ConnectOptions): Promise<TestClient>;
  /** Closes every client it opened, then the app. */
  close(): Promise<void>;
}

/** Changes the testing module before it compiles, such as replacing a provider with a faulty one. */
export type ModuleOverrides = (builder: TestingModuleBuilder) => TestingModuleBuilder;

/** Modules a test app imports beside `AppModule`, such as one with a gateway of the test's own. */
export type ExtraModules = Array<Type | DynamicModule>;

/**
 * The gateway switch the environment gives every test app: `GATEWAY_FAST_PATH=false` (as the
 * `e2e-nest-path` project sets it) runs the contract suites on Nest's own handlers; a test's own `env` wins.
 */
const switchFromEnvironment: TestEnv =
  process.env.GATEWAY_FAST_PATH === undefined
    ? {}
    : { GATEWAY_FAST_PATH: process.env.GATEWAY_FAST_PATH };

/**
 * The database the environment gives every test app that names none and no Redis: `TEST_DATABASE=sqlite`
 * (as the `e2e-sqlite` project sets it) runs the contract suites on a fresh SQLite file per app, the
 * default configuration of `npm start`; unset, test apps run on the memory engine.
 */
export const testDatabaseKind = process.env.TEST_DATABASE as DatabaseKind | undefined;

/** Whether test apps run gateway handlers on the lean path, unless a test's `env` says otherwise. */
export const leanPathByDefault: boolean = parseEnvironment(switchFromEnvironment).GATEWAY_FAST_PATH;

/**
 * Boots the real app on port 0 with the real adapter; `env` overrides the defaults (logs quiet unless
 * LOG_LEVEL is given; no database unless DATABASE_URL is given), `overrides` may replace providers, and
 * `modules` are imported beside `AppModule`.
 */
export async function startApp(
  env: TestEnv = {},
  overrides: ModuleOverrides = (builder) => builder,
  modules: ExtraModules = [],
): Promise<TestApp> {
  const database =
    env.DATABASE_URL === undefined && env.REDIS_URL === undefined && testDatabaseKind
      ? await createTestDatabase(testDatabaseKind, 'app')
      : undefined;
  const config = parseEnvironment({
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    // The memory engine (or the Redis streams with REDIS_URL) unless the test or TEST_DATABASE names a database.
    DATABASE_URL: database?.url ?? 'memory',
    ...switchFromEnvironment,
    ...env,
  });
  const moduleRef = await overrides(
    Test.createTestingModule({ imports: [AppModule, ...modules] })
      .overrideProvider(appConfig.KEY)
      .useValue(config),
  ).compile();
  const app = configureApp(moduleRef.createNestApplication({ logger: false }));
  return serveApp(app, () => database?.drop());
}

/**
 * Listens with a configured `app` (the real `AppModule`, or a host application importing
 * `SwitchboardModule`) on an ephemeral port of 127.0.0.1; `close()` closes its clients, the app, then
 * runs `cleanUp`.
 */
export async function serveApp(
  app: INestApplication,
  cleanUp: () => Promise<void> | undefined = () => undefined,
): Promise<TestApp> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const clients: TestClient[] = [];
  const wsUrl = `ws://127.0.0.1:${port}/`;
  return {
    app,
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl,
    async connect(options) {
      const client = await TestClient.connect(wsUrl, options);
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      await app.close();
      await cleanUp();
    },
  };
}

/** `count` apps with the same `env`: the nodes of one deployment when `env` names a shared Redis or database. */
export function startNodes(count: number, env: TestEnv): Promise<TestApp[]> {
  return Promise.all(Array.from({ length: count }, () => startApp(env)));
}

/**
 * Starts a fresh app with `startApp(env, overrides)` before each test of the enclosing `describe` and
 * closes it after; the returned handle always speaks for the running test's app. `env` may be a function,
 * called before each test, for values a `beforeAll` makes.
 */
export function appPerTest(
  env: TestEnv | (() => TestEnv) = {},
  overrides?: ModuleOverrides,
): TestApp {
  let running: TestApp | undefined;
  beforeEach(async () => {
    running = await startApp(typeof env === 'function' ? env() : env, overrides);
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  const current = (): TestApp => {
    if (!running) throw new Error('appPerTest: the app runs only inside a test');
    return running;
  };
  return {
    get app() {
      return current().app;
    },
    get port() {
      return current().port;
    },
    get httpUrl() {
      return current().httpUrl;
    },
    get wsUrl() {
      return current().wsUrl;
    },
    connect: (options) => current().connect(options),
    close: () => current().close(),
  };
}
