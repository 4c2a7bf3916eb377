import { TokenBucket } from './token-bucket.js';

/** A clock the test moves by hand. */
class FakeClock {
  ms = 1_000_000;
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

describe('TokenBucket', () => {
  let clock: FakeClock;
  let sut: TokenBucket;

  beforeEach(() => {
    clock = new FakeClock();
    sut = new TokenBucket(20, 40, clock.now);
  });

  function takeMany(count: number): number[] {
    return Array.from({ length: count }, () => sut.take());
  }

  it('grants a full burst at once', () => {
    expect(takeMany(40)).toEqual(Array(40).fill(0));
  });

  it('refuses the take after the burst, saying how long until the next token', () => {
    takeMany(40);

    expect(sut.take()).toBe(50);
  });

  it('grants one more token once 1/rate of a second has passed', () => {
    takeMany(40);
    clock.advance(50);

    expect(sut.take()).toBe(0);
    expect(sut.take()).toBeGreaterThan(0);
  });

  it('shortens the advertised wait as time passes', () => {
    takeMany(40);
    clock.advance(30);

    expect(sut.take()).toBe(20);
  });

  it('never holds more than the burst, however long it was idle', () => {
    clock.advance(3_600_000);

    expect(takeMany(41).filter((wait) => wait === 0)).toHaveLength(40);
  });
});
