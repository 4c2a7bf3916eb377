import { UpgradeGate, UpgradePass, type UpgradeGateLimits } from './upgrade-gate.js';

const LIMITS: UpgradeGateLimits = {
  maxConnections: 4,
  maxConnectionsPerIp: 2,
  maxConnectionsPerUser: 1,
  connectionRatePerSecond: 3,
  maxPendingHandshakes: 2,
};

describe('UpgradeGate', () => {
  let ms: number;
  let sut: UpgradeGate;

  beforeEach(() => {
    ms = 1_000_000;
    sut = new UpgradeGate(LIMITS, () => ms);
  });

  function pass(ip: string): UpgradePass {
    const admitted = sut.admit(ip);
    if (!(admitted instanceof UpgradePass)) throw new Error(`refused: ${admitted.limit}`);
    return admitted;
  }

  it('refuses past the pending handshakes with 503 and a retry hint, and admits again once one settles', () => {
    const first = pass('a');
    pass('b');

    expect(sut.admit('c')).toEqual({
      status: 503,
      limit: 'pending_handshakes',
      retryAfterSeconds: 1,
    });
    first.settle();
    expect(sut.admit('c')).toBeInstanceOf(UpgradePass);
  });

  it('refuses past the node limit with 503 and no retry hint', () => {
    for (const ip of ['a', 'b', 'c', 'd']) {
      pass(ip).settle();
      ms += 1000;
    }

    expect(sut.admit('e')).toEqual({ status: 503, limit: 'max_connections' });
  });

  it('refuses past the per-IP limit with 429 without spending the rate', () => {
    pass('a').settle();
    pass('a').settle();

    expect(sut.admit('a')).toEqual({ status: 429, limit: 'max_connections_per_ip' });
    expect(sut.admit('a')).toEqual({ status: 429, limit: 'max_connections_per_ip' });
    expect(sut.admit('b')).toBeInstanceOf(UpgradePass);
  });

  it('refuses past the rate with 503 and the seconds until a token, bursts of as many', () => {
    for (const ip of ['a', 'b', 'c']) pass(ip).settle();

    expect(sut.admit('d')).toEqual({
      status: 503,
      limit: 'connection_rate',
      retryAfterSeconds: 1,
    });
    ms += 334;
    expect(sut.admit('d')).toBeInstanceOf(UpgradePass);
  });

  it('refuses a user past its limit with 429', () => {
    const first = pass('a');
    first.settle();
    expect(first.admitUser('alice')).toBeUndefined();

    expect(pass('b').admitUser('alice')).toEqual({
      status: 429,
      limit: 'max_connections_per_user',
    });
  });

  it('gives every count back exactly once, however often its ends are called', () => {
    const first = pass('a');
    first.admitUser('alice');
    first.settle();
    first.settle();
    first.release();
    first.release();
    ms += 10_000;

    const again = [pass('a'), pass('a')];
    expect(sut.size).toBe(2);
    expect(sut.pendingHandshakes).toBe(2);
    expect(again[0].admitUser('alice')).toBeUndefined();
  });

  it('does not count a user for a connection that closed during authentication', () => {
    const gone = pass('a');
    gone.release();

    expect(gone.admitUser('alice')).toBeUndefined();
    expect(pass('b').admitUser('alice')).toBeUndefined();
  });
});
