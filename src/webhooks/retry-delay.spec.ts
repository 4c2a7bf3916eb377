import { retryDelayMs } from './retry-delay.js';

describe('retryDelayMs', () => {
  it('doubles from the base with each retry', () => {
    const sut = [1, 2, 3, 4].map((retry) => retryDelayMs(retry, 1000, 60_000, () => 1));

    expect(sut).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never waits longer than the cap, however many retries', () => {
    expect(retryDelayMs(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(retryDelayMs(10_000, 1000, 60_000, () => 1)).toBe(60_000);
  });

  it('jitters each delay within the upper half of its step', () => {
    expect(retryDelayMs(3, 1000, 60_000, () => 0)).toBe(2000);
    expect(retryDelayMs(3, 1000, 60_000, () => 0.5)).toBe(3000);
    for (let i = 0; i < 100; i += 1) {
      const sut = retryDelayMs(3, 1000, 60_000);
      expect(sut).toBeGreaterThanOrEqual(2000);
      expect(sut).toBeLessThanOrEqual(4000);
    }
  });
});
