/**
 * The arms every scenario runs side by side: Switchboard and its baselines. Each is a server entry point
 * started as `node <entry>` with PORT (and REDIS_URL, REDIS_KEY_PREFIX for the cluster scenario), and the
 * dialect the load generator speaks to it.
 */

/**
 * @typedef {object} Arm
 * @property {string} id
 * @property {string} label
 * @property {string} entry path from the repository root
 * @property {'envelope' | 'socket.io'} dialect
 * @property {string} summary one line on how it relays, for the report
 * @property {string[]} [scenarios] the only scenarios it runs in (all when absent)
 * @property {Record<string, string>} [env] environment it is started with, besides PORT
 * @property {'sqlite' | 'postgres'} [database] a fresh database of this kind for each of its sessions, as
 *   DATABASE_URL (bench/lib/session.mjs)
 */

/** Switchboard's limits, raised for one load-generating IP (the idle scenario opens 20,000 sockets). */
const SWITCHBOARD_LIMITS = {
  MAX_CONNECTIONS: '100000',
  MAX_CONNECTIONS_PER_IP: '100000',
  CONNECTION_RATE_PER_SECOND: '100000',
  MAX_PENDING_HANDSHAKES: '100000',
};

/** The scenarios Switchboard with a database runs in: where storage costs, and the history it keeps. */
const DATABASE_SCENARIOS = ['fanout', 'rooms', 'history'];

/** @type {Arm[]} */
export const ARMS = [
  {
    id: 'corked-relay',
    label: 'corked ws relay',
    entry: 'bench/servers/corked-relay.mjs',
    dialect: 'envelope',
    summary:
      'bare `ws`, one prepared frame (`WebSocket.Sender.frame`) shared by all recipients, one corked write per socket per event-loop turn: the practical limit',
  },
  {
    id: 'corked-relay-ack',
    label: 'corked ws relay + ack',
    entry: 'bench/servers/corked-relay.mjs',
    dialect: 'envelope',
    scenarios: ['rooms'],
    env: { RELAY_ACK: '1' },
    summary:
      "the corked relay that also answers each message to its sender with an `ack` shaped like Switchboard's (id, room, ts), written with the turn's other frames: what the contract's ack costs a relay, so that the difference from Switchboard is the framework's own cost (rooms scenario only)",
  },
  {
    id: 'ws-relay',
    label: 'bare ws relay',
    entry: 'bench/servers/ws-relay.mjs',
    dialect: 'envelope',
    summary: 'bare `ws`, payload serialized once, `socket.send` to each recipient separately',
  },
  {
    id: 'lean-relay',
    label: 'lean ws relay',
    entry: 'bench/servers/lean-relay.mjs',
    dialect: 'envelope',
    scenarios: ['idle', 'connect'],
    summary:
      "the leanest relay on bare `ws`: per socket only a user object (`?uid=`/`?name=`, else a fresh id) and a room set, plus a room → sockets map, every socket in `lobby`, listeners shared by every socket, relaying as the corked relay does: issue 12's baseline for memory per idle socket and CPU per connection opened (idle and connect scenarios only)",
  },
  {
    id: 'socket.io',
    label: 'Socket.IO 4',
    entry: 'bench/servers/socketio-server.mjs',
    dialect: 'socket.io',
    summary:
      'Socket.IO 4 (websocket transport only), `socket.to(room).emit`; @socket.io/redis-adapter in the cluster scenario',
  },
  {
    id: 'switchboard',
    label: 'Switchboard',
    entry: 'dist/main.js',
    dialect: 'envelope',
    // Every client of the load generator comes from 127.0.0.1 at once (the idle scenario opens 20,000):
    // the per-node, per-IP and rate limits of the defaults would refuse most of them.
    env: {
      // The memory engine, as before there was a database: the figures compare relays, not storage.
      DATABASE_URL: 'memory',
      ...SWITCHBOARD_LIMITS,
    },
    summary:
      'this service, `node dist/main.js`, default configuration but for `DATABASE_URL=memory` (memory engine; Redis engine in the cluster scenario) and the connection limits, raised for one load-generating IP',
  },
  {
    id: 'switchboard-sqlite',
    label: 'Switchboard + SQLite',
    entry: 'dist/main.js',
    dialect: 'envelope',
    scenarios: DATABASE_SCENARIOS,
    database: 'sqlite',
    env: SWITCHBOARD_LIMITS,
    summary:
      'Switchboard as above with its embedded database, `DATABASE_URL=sqlite:<a new file in a new temporary directory>` for each run, every message committed before its ack (WAL, `synchronous=NORMAL`); fan-out, rooms and history scenarios only',
  },
  {
    id: 'switchboard-postgres',
    label: 'Switchboard + PostgreSQL',
    entry: 'dist/main.js',
    dialect: 'envelope',
    scenarios: DATABASE_SCENARIOS,
    database: 'postgres',
    env: SWITCHBOARD_LIMITS,
    summary:
      "Switchboard as above with PostgreSQL on this machine (BENCH_POSTGRES_URL, default `postgres://postgres@127.0.0.1:5432/test`), in a new schema for each run (`?options=-c search_path=<schema>`, created and dropped by the bench); PostgreSQL's own CPU is its backends', read apart; fan-out, rooms and history scenarios only",
  },
];

/** Scenarios an arm runs only when it names them: they need what other arms lack (a database). */
const OPT_IN_SCENARIOS = ['history'];

/** The arm every figure is also given as a ratio to. */
export const REFERENCE_ARM = 'corked-relay';

/** The baseline of issue 12's per-socket targets: memory per idle socket and CPU per connection opened. */
export const LEAN_ARM = 'lean-relay';

/** Whether an arm runs in a scenario. */
export function runsIn(arm, scenarioId) {
  return arm.scenarios
    ? arm.scenarios.includes(scenarioId)
    : !OPT_IN_SCENARIOS.includes(scenarioId);
}

/** The arm by id. */
export function armNamed(id) {
  const arm = ARMS.find((candidate) => candidate.id === id);
  if (!arm) throw new Error(`unknown arm ${id}`);
  return arm;
}
