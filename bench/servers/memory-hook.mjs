/**
 * Preloaded (`--expose-gc --import`) into every server of the idle scenario, Switchboard included, so
 * that memory is read the same way everywhere without touching the servers: on the IPC message
 * `{ type: 'bench:memory' }` it collects garbage twice and answers with `process.memoryUsage()`.
 */
import { setTimeout as sleep } from 'node:timers/promises';

process.on('message', async (message) => {
  if (message?.type !== 'bench:memory') return;
  const steady = process.memoryUsage();
  globalThis.gc?.();
  await sleep(200);
  globalThis.gc?.();
  await sleep(100);
  process.send({ type: 'bench:memory', steady, afterGc: process.memoryUsage() });
});
// Keeps the channel from holding the process open on its own.
process.channel?.unref();
