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
 */

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
      MAX_CONNECTIONS: '100000',
      MAX_CONNECTIONS_PER_IP: '100000',
      CONNECTION_RATE_PER_SECOND: '100000',
      MAX_PENDING_HANDSHAKES: '100000',
    },
    summary:
      'this service, `node dist/main.js`, default configuration but for `DATABASE_URL=memory` (memory engine; Redis engine in the cluster scenario) and the connection limits, raised for one load-generating IP',
  },
];

/** The arm every figure is also given as a ratio to. */
export const REFERENCE_ARM = 'corked-relay';

/** The baseline of issue 12's per-socket targets: memory per idle socket and CPU per connection opened. */
export const LEAN_ARM = 'lean-relay';

/** Whether an arm runs in a scenario. */
export function runsIn(arm, scenarioId) {
  return !arm.scenarios || arm.scenarios.includes(scenarioId);
}

/** The arm by id. */
export function armNamed(id) {
  const arm = ARMS.find((candidate) => candidate.id === id);
  if (!arm) throw new Error(`unknown arm ${id}`);
  return arm;
}
