import { flushAtTurnEnd, runThenFlush, type TurnFlushable } from './turn-flush.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function recorder(log: string[], name: string): TurnFlushable {
  return { flushTurn: () => log.push(`flush ${name}`) };
}

describe('turn flush', () => {
  it('flushes every target that asked in a turn once, when the turn ends', async () => {
    const log: string[] = [];

    flushAtTurnEnd(recorder(log, 'a'));
    flushAtTurnEnd(recorder(log, 'b'));
    log.push('turn goes on');
    await nextTurn();

    expect(log).toEqual(['turn goes on', 'flush a', 'flush b']);
  });

  it('flushes what an immediate wrote, its promise continuations included, in the same check phase', async () => {
    const log: string[] = [];

    runThenFlush(() => {
      log.push('work');
      // Queued during the check phase: runs in the next turn of the loop.
      setImmediate(() => log.push('next turn'));
      void Promise.resolve()
        .then(() => undefined)
        .then(() => flushAtTurnEnd(recorder(log, 'a')));
    });
    await nextTurn();
    await nextTurn();

    expect(log).toEqual(['work', 'flush a', 'next turn']);
  });

  it('needs no flush of its own for a target that asks while one is queued', async () => {
    const log: string[] = [];
    const scheduled = vi.spyOn(globalThis, 'setImmediate');

    runThenFlush(() => flushAtTurnEnd(recorder(log, 'a')));
    await nextTurn();
    const immediates = scheduled.mock.calls.length;
    scheduled.mockRestore();

    // The work, its flush and the test's own wait: none for the target.
    expect(immediates).toBe(3);
    expect(log).toEqual(['flush a']);
  });
});
