/**
 * How much each scenario does: `full` for `npm run bench` (about fifteen minutes on the 2-core machine),
 * `quick` for a smoke run of about three minutes.
 */

/**
 * @typedef {object} LadderScenario
 * @property {number} rounds
 * @property {number} [databaseRounds] rounds of the arms with a database, when fewer (bench/run.mjs)
 * @property {number} clients members of the room
 * @property {number} senders publishing connections among them (each stays under the rate limit)
 * @property {number} probes latency-measuring connections among them
 * @property {number[]} ladder send rates, messages a second in all, the same for every arm
 * @property {number} refineSteps bisections between the last sustained rung and the first that was not
 * @property {number} rungMs how long each rung sends
 * @property {number} drainMs how long a rung waits at most for the last deliveries
 */

/**
 * @typedef {object} FixedRateScenario
 * @property {number} rounds
 * @property {number} [databaseRounds] rounds of the arms with a database, when fewer (bench/run.mjs)
 * @property {number} clients
 * @property {number} probes
 * @property {number} rate messages a second in all, the same for every arm
 * @property {number} durationMs
 * @property {number} drainMs
 */

/**
 * @typedef {object} HistoryScenario
 * @property {number} rounds
 * @property {number} messages seeded in the one room paged
 * @property {number} samples timed requests at random depths, in each of the two passes that have them
 * @property {number} latestSamples timed requests for the newest page
 * @property {number} warmUp unmeasured requests before each pass
 * @property {number} concurrency sockets of the concurrent pass, each with one request in flight
 */

/**
 * @typedef {object} Profile
 * @property {string} name
 * @property {number} noiseRetries runs that may be repeated because others loaded the machine
 * @property {number} quietWaitMs longest wait for a quiet machine before each arm's run
 * @property {LadderScenario} fanout
 * @property {FixedRateScenario & { roomSize: number, warmUpMs: number }} rooms
 * @property {{ rounds: number, sockets: number[] }} idle sockets: the levels memory is read at, in order
 * @property {{ rounds: number, warmUp: number, connections: number, batch: number }} connect
 * @property {FixedRateScenario} seed
 * @property {LadderScenario} cluster
 * @property {HistoryScenario} history
 * @property {number} cpuProfileMs how long Switchboard runs under the CPU profiler at its fan-out rate
 */

/** Switchboard's default per-connection limit is 20 a second (bursts of 40); senders stay at 16 or less. */
export const MAX_RATE_PER_SENDER = 16;

/** @type {Record<string, Profile>} */
export const PROFILES = {
  full: {
    name: 'full',
    noiseRetries: 30,
    quietWaitMs: 10_000,
    cpuProfileMs: 5000,
    fanout: {
      rounds: 3,
      clients: 1000,
      senders: 400,
      probes: 5,
      ladder: [50, 100, 200, 400, 800, 1600, 3200, 4800, 6400],
      refineSteps: 3,
      rungMs: 1000,
      drainMs: 2000,
    },
    rooms: {
      rounds: 3,
      // Two, not three, to keep `npm run bench` near a quarter of an hour on the 2-core machine.
      databaseRounds: 2,
      clients: 1000,
      roomSize: 10,
      probes: 5,
      rate: 3000,
      // Twice the other scenarios': a young-generation GC comes every 0.6 s or so and its cost varies several-fold,
      // so a 2 s run held 3 of them and a round's CPU per inbound message swung by ±8 µs with how many landed.
      durationMs: 4000,
      warmUpMs: 2000,
      drainMs: 2000,
    },
    seed: { rounds: 3, clients: 200, probes: 5, rate: 200, durationMs: 2000, drainMs: 2000 },
    idle: { rounds: 2, sockets: [10_000, 20_000] },
    connect: { rounds: 5, warmUp: 500, connections: 5000, batch: 500 },
    cluster: {
      rounds: 2,
      clients: 1000,
      senders: 300,
      probes: 6,
      ladder: [50, 100, 200, 400, 800, 1600, 3200, 4800],
      refineSteps: 2,
      rungMs: 1000,
      drainMs: 2000,
    },
    history: {
      rounds: 1,
      messages: 1_000_000,
      samples: 2000,
      latestSamples: 500,
      warmUp: 100,
      concurrency: 8,
    },
  },
  quick: {
    name: 'quick',
    noiseRetries: 10,
    quietWaitMs: 3_000,
    cpuProfileMs: 2000,
    fanout: {
      rounds: 1,
      clients: 1000,
      senders: 300,
      probes: 5,
      ladder: [100, 200, 400, 800, 1600, 3200, 4800],
      refineSteps: 1,
      rungMs: 800,
      drainMs: 1500,
    },
    rooms: {
      rounds: 1,
      clients: 1000,
      roomSize: 10,
      probes: 5,
      rate: 3000,
      durationMs: 1000,
      warmUpMs: 1000,
      drainMs: 1500,
    },
    seed: { rounds: 1, clients: 200, probes: 5, rate: 200, durationMs: 1000, drainMs: 1500 },
    idle: { rounds: 1, sockets: [2000, 4000] },
    connect: { rounds: 1, warmUp: 250, connections: 1000, batch: 250 },
    cluster: {
      rounds: 1,
      clients: 1000,
      senders: 300,
      probes: 6,
      ladder: [100, 200, 400, 800, 1600],
      refineSteps: 0,
      rungMs: 800,
      drainMs: 1500,
    },
    history: {
      rounds: 1,
      messages: 100_000,
      samples: 500,
      latestSamples: 100,
      warmUp: 50,
      concurrency: 4,
    },
  },
};
