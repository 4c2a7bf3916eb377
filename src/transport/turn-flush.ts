/** Something holding writes until the event-loop turn ends. */
export interface TurnFlushable {
  /** Writes what it holds; called once per turn it asked for. */
  flushTurn(): void;
}

let waiting: TurnFlushable[] = [];

/**
 * Calls `target.flushTurn()` once this event-loop turn ends, with every other target that asked in the
 * turn: each socket then gets one write per turn however many frames the turn had for it. A target asks
 * once per turn (when it starts holding writes).
 */
export function flushAtTurnEnd(target: TurnFlushable): void {
  if (waiting.push(target) === 1) setImmediate(flushAll);
}

function flushAll(): void {
  const targets = waiting;
  waiting = [];
  for (const target of targets) target.flushTurn();
}
