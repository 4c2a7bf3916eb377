import { TrailingThrottle } from './trailing-throttle.js';

describe('TrailingThrottle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('emits the first value at once', () => {
    const emitted: number[] = [];
    const sut = new TrailingThrottle<number>(1000, (value) => emitted.push(value));

    sut.offer('k', 1);

    expect(emitted).toEqual([1]);
  });

  it('emits only the last value offered within the interval, when it ends', () => {
    const emitted: number[] = [];
    const sut = new TrailingThrottle<number>(1000, (value) => emitted.push(value));

    sut.offer('k', 1);
    sut.offer('k', 2);
    sut.offer('k', 3);
    vi.advanceTimersByTime(999);
    const beforeTheEnd = [...emitted];
    vi.advanceTimersByTime(1);

    expect(beforeTheEnd).toEqual([1]);
    expect(emitted).toEqual([1, 3]);
  });

  it('keeps a trailing emission an interval away from the next one', () => {
    const emitted: number[] = [];
    const sut = new TrailingThrottle<number>(1000, (value) => emitted.push(value));

    sut.offer('k', 1);
    sut.offer('k', 2);
    vi.advanceTimersByTime(1000);
    sut.offer('k', 3);
    vi.advanceTimersByTime(999);

    expect(emitted).toEqual([1, 2]);
    vi.advanceTimersByTime(1);
    expect(emitted).toEqual([1, 2, 3]);
  });

  it('throttles each key apart', () => {
    const emitted: string[] = [];
    const sut = new TrailingThrottle<string>(1000, (value) => emitted.push(value));

    sut.offer('a', 'a1');
    sut.offer('b', 'b1');

    expect(emitted).toEqual(['a1', 'b1']);
  });

  it('emits every value at once with an interval of 0', () => {
    const emitted: number[] = [];
    const sut = new TrailingThrottle<number>(0, (value) => emitted.push(value));

    sut.offer('k', 1);
    sut.offer('k', 2);

    expect(emitted).toEqual([1, 2]);
  });

  it('drops what is pending on clear', () => {
    const emitted: number[] = [];
    const sut = new TrailingThrottle<number>(1000, (value) => emitted.push(value));

    sut.offer('k', 1);
    sut.offer('k', 2);
    sut.clear();
    vi.advanceTimersByTime(2000);

    expect(emitted).toEqual([1]);
  });
});
