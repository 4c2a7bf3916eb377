/**
 * The layers of src/, bottom up, written once; `npm run lint` fails on an import that breaks them.
 *
 *   protocol            wire events, error and close codes, names and limits of the contract
 *   config              the validated environment
 *   observability       metrics and refusal logs
 *   auth                identity at the upgrade
 *   engine              storage, fan-out between nodes, presence (memory/, redis/)
 *   cache               the recent-history cache and the room heads that keep it current
 *   domain              rooms and presence, sends, history; the ChatSession, SessionDirectory and ChatObserver ports
 *   webhooks            signed HTTP callbacks of what the domain observes (implements ChatObserver)
 *   validation          class-validator DTOs compiled into one function per class (a library layer)
 *   fast-path           the lean gateway path; every private Nest import in nest-internals.ts
 *   gateway             ChatGateway, DTOs, guards, pipe, filter, interceptors
 *   transport           the ws adapter, connections, local fan-out (implements the domain's ports)
 *   server-api          the server HTTP API (/api/v1): controllers, key guard, problem details, DTOs
 *   app, process, ops, web, asyncapi   composition, process lifecycle, operator and web endpoints, the
 *                       contract's AsyncAPI document (generated from the gateways and the protocol)
 *
 * Beside them, packages/client/ (the SDK, an npm package of its own) imports src/protocol/ alone.
 *
 * A layer imports only the layers listed for it (never one above, so no folder cycle is possible).
 */

/** Each folder of src/ and the folders it may import from (besides itself and node_modules). */
const layers = {
  protocol: [],
  config: ['protocol'],
  observability: ['protocol', 'config'],
  auth: ['protocol', 'config'],
  engine: ['protocol', 'config', 'observability'],
  cache: ['protocol', 'config', 'observability', 'engine'],
  domain: ['protocol', 'config', 'observability', 'auth', 'engine', 'cache'],
  // It implements the domain's ChatObserver port; nothing but the top files imports it.
  webhooks: ['protocol', 'config', 'observability', 'engine', 'domain'],
  validation: [],
  'fast-path': [],
  gateway: [
    'protocol',
    'config',
    'observability',
    'auth',
    'engine',
    'domain',
    'validation',
    'fast-path',
  ],
  // Transport reaches the domain through its ports only (see the rule below), never the gateway.
  transport: [
    'protocol',
    'config',
    'observability',
    'auth',
    'engine',
    'cache',
    'domain',
    'fast-path',
  ],
  // The top: composition and process lifecycle, ops endpoints, the web client; nothing imports them but each other.
  process: ['protocol', 'config', 'domain', 'transport'],
  ops: ['config', 'engine', 'observability', 'process'],
  web: ['config'],
  // The server HTTP API: ChatPublisher behind keys (the engine for the keys' rate limiter and its outage
  // errors only); never a socket, so nothing of gateway, transport or fast-path.
  'server-api': ['protocol', 'config', 'observability', 'engine', 'domain', 'validation'],
  // It reads the gateways' handlers and DTOs (through fast-path's discovery) and the protocol's server events.
  asyncapi: ['protocol', 'config', 'fast-path', 'gateway'],
};

/** Files at the top of src/ (main.ts, app.module.ts, app.setup.ts, switchboard.module.ts, index.ts, ...) may import any layer. */
const TOP_FILES = '^src/[^/]+\\.ts$';

module.exports = {
  forbidden: [
    ...Object.entries(layers).map(([layer, allowed]) => ({
      name: `layer-${layer}`,
      comment: `src/${layer}/ may import only ${allowed.length ? allowed.join(', ') : 'nothing of the app'} (the layer picture above)`,
      severity: 'error',
      from: { path: `^src/${layer}/` },
      to: {
        path: '^src/',
        pathNot: [`^src/${layer}/`, '^src/types/', ...allowed.map((name) => `^src/${name}/`)],
      },
    })),
    {
      name: 'nothing-imports-the-top',
      comment:
        'the top files (main.ts, app.module.ts, switchboard.module.ts, ...) compose the app: no layer imports them',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: TOP_FILES },
    },
    {
      name: 'transport-uses-domain-ports-only',
      comment:
        'transport reaches the domain through the ports it owns (session.ts, turn-flush.ts) and the error answer it shares with the gateway (error-answer.ts), never its services',
      severity: 'error',
      from: { path: '^src/transport/' },
      to: { path: '^src/domain/', pathNot: '^src/domain/(session|turn-flush|error-answer)\\.ts$' },
    },
    {
      name: 'client-sdk-imports-only-protocol',
      comment:
        'packages/client/ (the SDK) shares the wire contract with the server through src/protocol/ alone',
      severity: 'error',
      from: { path: '^packages/client/src/' },
      to: { path: '^src/', pathNot: '^src/protocol/' },
    },
    {
      name: 'client-sdk-has-no-dependencies',
      comment:
        'the SDK runs in browsers and Node with no runtime dependency: no package, no Node module',
      severity: 'error',
      from: { path: '^packages/client/src/' },
      to: { dependencyTypesNot: ['local'] },
    },
    {
      name: 'nest-internals-in-one-file',
      comment:
        'private parts of Nest (@nestjs/core/internal, deep @nestjs/websockets paths) and class-transformer (cjs/) are imported by src/fast-path/nest-internals.ts alone',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/fast-path/nest-internals\\.ts$' },
      to: {
        path: [
          'node_modules/@nestjs/core/internal',
          'node_modules/@nestjs/websockets/(?!index\\.js$)',
          'node_modules/class-transformer/cjs/storage',
        ],
      },
    },
    {
      name: 'no-circular',
      comment: 'no import cycle, between folders or within one',
      severity: 'error',
      from: { path: '^(src|packages/client/src)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to nothing is a typo or a missing dependency',
      severity: 'error',
      from: { path: '^(src|packages/client/src)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
  },
};
