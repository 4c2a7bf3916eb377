import { MemoryApiKeyRateLimiter } from './memory-api-key-rate-limiter.js';

describe('MemoryApiKeyRateLimiter', () => {
  let now = 0;
  const sut = () => new MemoryApiKeyRateLimiter(2, 3, () => now);

  beforeEach(() => {
    now = 1_000;
  });

  it('grants a burst, then says how long until the next token', () => {
    const limiter = sut();

    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(500);
  });

  it('refills at the rate, and keeps each key in its own bucket', () => {
    const limiter = sut();
    for (let i = 0; i < 3; i++) limiter.take('a');

    expect(limiter.take('b')).toBe(0);
    now += 500;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(500);
  });
});
