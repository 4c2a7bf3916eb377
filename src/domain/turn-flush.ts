/** Something holding writes until the event-loop turn ends. */
export interface TurnFlushable {
  /** Writes what it holds; called once per turn it asked for. */
  flushTurn(): void;
}

let waiting: TurnFlushable[] = [];
/** Flushes queued as immediates and not run yet: while one is, a new target needs none of its own. */
let queuedFlushes = 0;

/**
 * Calls `target.flushTurn()` once this event-loop turn ends, with every other target that asked in the
 * turn: each socket then gets one write per turn however many frames the turn had for it. A target asks
 * once per turn (when it starts holding writes).
 */
export function flushAtTurnEnd(target: TurnFlushable): void {
  waiting.push(target);
  if (queuedFlushes === 0) queueFlush();
}

/**
 * Runs `work` as an immediate and flushes what it wrote (its promise continuations included) right after
 * it, in the same check phase: the writes do not wait for another turn of the event loop, which would cost
 * a poll of its own.
 */
export function runThenFlush(work: () => void): void {
  setImmediate(work);
  queueFlush();
}

function queueFlush(): void {
  queuedFlushes += 1;
  setImmediate(flushAll);
}

function flushAll(): void {
  queuedFlushes -= 1;
  const targets = waiting;
  waiting = [];
  for (const target of targets) {
    // One socket's failure must not leave the others holding their frames for good.
    try {
      target.flushTurn();
    } catch (error) {
      process.emitWarning(error as Error);
    }
  }
}
