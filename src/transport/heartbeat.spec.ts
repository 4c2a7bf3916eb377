import { Heartbeat, type Heartbeating } from './heartbeat.js';

/** A connection that records when it was pinged; it answers each ping with a pong unless deaf. */
class FakeConnection implements Heartbeating {
  missedPongs = 0;
  heartbeatBucket = -1;
  isOpen = true;
  terminated = false;
  readonly pingedAt: number[] = [];
  readonly socket = {
    terminate: (): void => {
      this.terminated = true;
      this.isOpen = false;
    },
  };

  constructor(private readonly deaf = false) {}

  ping(): void {
    this.pingedAt.push(Date.now());
    if (!this.deaf) this.missedPongs = 0;
  }
}

const INTERVAL_MS = 1000;

describe('Heartbeat', () => {
  let sut: Heartbeat<FakeConnection>;

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    sut = new Heartbeat(INTERVAL_MS);
    sut.start();
  });

  afterEach(() => {
    sut.stop();
    vi.useRealTimers();
  });

  function open(count: number, deaf = false): FakeConnection[] {
    return Array.from({ length: count }, () => {
      const connection = new FakeConnection(deaf);
      sut.add(connection);
      return connection;
    });
  }

  it('turns once per bucket per interval, about every 100 ms', () => {
    expect(sut.bucketCount).toBe(10);
    expect(sut.tickMs).toBe(100);
  });

  it('pings every socket once per interval', () => {
    const connections = open(25);

    vi.advanceTimersByTime(3 * INTERVAL_MS);

    for (const connection of connections) expect(connection.pingedAt).toHaveLength(3);
  });

  it('spreads the pings of a round over the ticks, never more than a bucket at once', () => {
    const connections = open(25);

    vi.advanceTimersByTime(INTERVAL_MS);

    const perTick = new Map<number, number>();
    for (const { pingedAt } of connections)
      perTick.set(pingedAt[0], (perTick.get(pingedAt[0]) ?? 0) + 1);
    expect(perTick.size).toBe(10);
    expect(Math.max(...perTick.values())).toBe(3);
  });

  it('pings each socket at its own offset, a whole interval apart', () => {
    const [connection] = open(1);

    vi.advanceTimersByTime(3 * INTERVAL_MS);

    const [first, second, third] = connection.pingedAt;
    expect([second - first, third - second]).toEqual([INTERVAL_MS, INTERVAL_MS]);
  });

  it('no longer pings a socket once it is removed', () => {
    const [kept, closed] = open(2);
    sut.remove(closed);

    vi.advanceTimersByTime(2 * INTERVAL_MS);

    expect(kept.pingedAt).toHaveLength(2);
    expect(closed.pingedAt).toHaveLength(0);
  });

  it('terminates a socket that missed two pongs, on its third turn, and keeps one that answers', () => {
    const [deaf] = open(1, true);
    const [alive] = open(1);

    vi.advanceTimersByTime(2 * INTERVAL_MS);
    expect(deaf.terminated).toBe(false);
    vi.advanceTimersByTime(INTERVAL_MS);

    expect(deaf.terminated).toBe(true);
    expect(deaf.pingedAt).toHaveLength(2);
    expect(alive.terminated).toBe(false);
  });

  it('does not ping a socket that is closing, but still counts the missed pong', () => {
    const [closing] = open(1);
    closing.isOpen = false;

    vi.advanceTimersByTime(INTERVAL_MS);

    expect(closing.pingedAt).toHaveLength(0);
    expect(closing.missedPongs).toBe(1);
  });

  it('keeps a single bucket when the interval is shorter than a tick', () => {
    const short = new Heartbeat(40);

    expect([short.bucketCount, short.tickMs]).toEqual([1, 40]);
  });

  it('stops pinging once stopped', () => {
    const [connection] = open(1);
    sut.stop();

    vi.advanceTimersByTime(2 * INTERVAL_MS);

    expect(connection.pingedAt).toHaveLength(0);
  });
});
