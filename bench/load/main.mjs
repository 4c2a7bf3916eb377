/**
 * The load generator: a process of its own, driven by the bench over IPC. It holds every client socket,
 * paces the senders, counts deliveries, and measures latency on a few probe clients.
 *
 * Commands (each answered with `{ id, result }` or `{ id, error }`):
 * - connect { ports, dialect, clients, senders, probes, concurrency, timeoutMs, append }: with `append`,
 *   the new clients join those already connected (senders unchanged) instead of replacing them
 * - join { rooms, prefix }: client i joins room `<prefix><i % rooms>` and waits for every `joined`
 * - quiet { quietMs }: waits until no delivery has arrived for quietMs
 * - run { rate, durationMs, target: 'lobby' | 'own' | 'plain', recipients, drainMs, quietMs, settleMs }:
 *   sends, then waits for every delivery (at most drainMs, at least settleMs), and reports
 * - close: drops every socket and exits
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { dialectNamed } from './dialect.mjs';
import { LatencyRecorder } from './latency-recorder.mjs';
import { messageText } from './message-text.mjs';
import { pace } from './pacer.mjs';
import { RawClient } from './raw-client.mjs';

const POLL_MS = 20;
/** A drain ends early when no delivery arrived for this long. */
const STALL_MS = 500;
/** A command never takes longer than this, whatever it was asked. */
const COMMAND_LIMIT_MS = 120_000;

/** @type {RawClient[]} */
let clients = [];
/** @type {RawClient[]} */
let senders = [];
let dialect;
const latency = new LatencyRecorder();
let runs = 0;

const commands = {
  async connect({
    ports,
    dialect: dialectName,
    clients: count,
    senders: senderCount,
    probes,
    concurrency,
    timeoutMs,
    append = false,
  }) {
    dialect = dialectNamed(dialectName);
    const started = performance.now();
    const first = append ? clients.length : 0;
    const added = Array.from(
      { length: count },
      (_, i) =>
        new RawClient({
          port: ports[(first + i) % ports.length],
          dialect,
          name: `c${first + i}`,
          probe: i >= count - probes ? latency : undefined,
        }),
    );
    if (append) clients = clients.concat(added);
    else {
      clients = added;
      senders = clients.slice(0, senderCount);
    }
    let failed = 0;
    let firstError;
    let next = 0;
    const worker = async () => {
      while (next < added.length) {
        const client = added[next++];
        await client.connect(timeoutMs).catch((error) => {
          failed += 1;
          firstError ??= error.message;
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return {
      connected: count - failed,
      failed,
      firstError,
      ms: Math.round(performance.now() - started),
    };
  },

  async join({ rooms, prefix, timeoutMs }) {
    for (const client of clients) client.joined = 0;
    clients.forEach((client, i) => {
      client.room = `${prefix}${i % rooms}`;
      if (client.isOpen) client.sendText(dialect.join(client.room));
    });
    const deadline = performance.now() + timeoutMs;
    let waiting = clients.length;
    while (performance.now() < deadline) {
      waiting = clients.filter((client) => client.isOpen && client.joined === 0).length;
      if (waiting === 0) break;
      await sleep(POLL_MS);
    }
    return { waiting };
  },

  async run({ rate, durationMs, target, recipients, drainMs, quietMs, settleMs = 0 }) {
    await quiet(quietMs);
    for (const client of clients) client.resetCounts();
    const tag = `r${(runs += 1)}`;
    latency.start(tag);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const { sent } = await pace({
      rate,
      durationMs,
      senders,
      isOpen: (client) => client.isOpen,
      send: (client, seq) => {
        const text = messageText(tag, seq);
        if (target === 'plain') client.sendText(dialect.plain(text));
        else client.sendText(dialect.message(target === 'own' ? client.room : 'lobby', text));
      },
    });
    const sendMs = performance.now() - started;
    const inWindow = totals().deliveries;
    const expected = sent * recipients;
    const drainStarted = performance.now();
    let last = inWindow;
    let lastProgress = drainStarted;
    while (performance.now() - drainStarted < drainMs) {
      const { deliveries } = totals();
      if (deliveries >= expected && performance.now() - drainStarted >= settleMs) break;
      if (deliveries !== last) {
        last = deliveries;
        lastProgress = performance.now();
      } else if (performance.now() - lastProgress > STALL_MS) break;
      await sleep(POLL_MS);
    }
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const counts = totals();
    return {
      rate,
      sent,
      expected,
      ...counts,
      deliveredRatio: expected > 0 ? counts.deliveries / expected : undefined,
      deliveriesPerSec: Math.round((inWindow / sendMs) * 1000),
      sendMs: Math.round(sendMs),
      elapsedMs: Math.round(elapsedMs),
      latency: latency.summary(),
      loadgenCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10,
    };
  },

  async quiet({ quietMs }) {
    await quiet(quietMs);
    return {};
  },

  async close() {
    for (const client of clients) client.destroy();
    setTimeout(() => process.exit(0), 50);
    return {};
  },
};

/** Sums the counters of every client. */
function totals() {
  const sum = { deliveries: 0, acks: 0, joined: 0, errors: 0, other: 0, open: 0, closed: 0 };
  const closeCodes = {};
  let sample;
  for (const client of clients) {
    sum.deliveries += client.deliveries;
    sum.acks += client.acks;
    sum.joined += client.joined;
    sum.errors += client.errors;
    sum.other += client.other;
    if (client.isOpen) sum.open += 1;
    else if (client.closeCode !== undefined) {
      sum.closed += 1;
      closeCodes[client.closeCode] = (closeCodes[client.closeCode] ?? 0) + 1;
    }
    sample ??= client.sample;
  }
  return { ...sum, closeCodes, sample };
}

/** Waits until no delivery has arrived for `quietMs` (the previous run's backlog is gone), at most 10 s. */
async function quiet(quietMs) {
  const deadline = performance.now() + 10_000;
  let last = totals().deliveries;
  let since = performance.now();
  while (performance.now() < deadline && performance.now() - since < quietMs) {
    await sleep(POLL_MS);
    const { deliveries } = totals();
    if (deliveries !== last) {
      last = deliveries;
      since = performance.now();
    }
  }
}

process.on('message', async ({ id, command, args }) => {
  const limit = setTimeout(() => {
    process.send({ id, error: `${command} took longer than ${COMMAND_LIMIT_MS} ms` });
    process.exit(1);
  }, COMMAND_LIMIT_MS);
  try {
    process.send({ id, result: await commands[command](args) });
  } catch (error) {
    process.send({ id, error: error.stack ?? String(error) });
  } finally {
    clearTimeout(limit);
  }
});
// The bench owns this process: when it goes, so do we.
process.on('disconnect', () => process.exit(0));
