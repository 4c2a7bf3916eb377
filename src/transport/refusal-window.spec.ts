import { RefusalWindow } from './refusal-window.js';

/** A clock the test moves by hand. */
class FakeClock {
  ms = 1_000_000;
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

describe('RefusalWindow', () => {
  let clock: FakeClock;
  let sut: RefusalWindow;

  beforeEach(() => {
    clock = new FakeClock();
    sut = new RefusalWindow(1000, clock.now);
  });

  function countMany(count: number): number {
    let last = 0;
    for (let i = 0; i < count; i += 1) last = sut.count();
    return last;
  }

  it('counts every refusal within the window', () => {
    expect(countMany(3)).toBe(3);
    expect(sut.current()).toBe(3);
  });

  it('keeps counting across gaps shorter than the window: spacing refusals out does not reset them', () => {
    for (let i = 0; i < 9; i += 1) {
      sut.count();
      clock.advance(100);
    }

    expect(sut.count()).toBe(10);
  });

  it('weighs the previous window by how much of it still overlaps', () => {
    countMany(10);
    clock.advance(1500);

    expect(sut.current()).toBeCloseTo(5);
  });

  it('forgets refusals older than two windows', () => {
    countMany(10);
    clock.advance(2000);

    expect(sut.current()).toBe(0);
    expect(sut.count()).toBe(1);
  });

  it('counts nothing when asked for the current count', () => {
    countMany(2);
    sut.current();
    sut.current();

    expect(sut.current()).toBe(2);
  });
});
