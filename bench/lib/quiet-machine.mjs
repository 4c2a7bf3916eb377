import { setTimeout as sleep } from 'node:timers/promises';
import { machineBusyMicros } from './process-cpu.mjs';

const WINDOW_MS = 300;

/**
 * Waits, at most `maxWaitMs`, until the machine is nearly idle (other users of this machine, such as test
 * runs, would otherwise share the cores with the arm about to run). Resolves with the busy share of one
 * core seen in the last window, in percent, and how long it waited.
 */
export async function waitForQuietMachine({ maxBusyPct = 25, maxWaitMs = 15_000 } = {}) {
  const started = performance.now();
  let busyPct;
  do {
    const before = machineBusyMicros();
    const at = performance.now();
    await sleep(WINDOW_MS);
    busyPct = ((machineBusyMicros() - before) / ((performance.now() - at) * 1000)) * 100;
  } while (busyPct > maxBusyPct && performance.now() - started < maxWaitMs);
  return { busyPct: Math.round(busyPct), waitedMs: Math.round(performance.now() - started) };
}
