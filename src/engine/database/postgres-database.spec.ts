import { lockKeys } from './postgres-database.js';

describe('lockKeys', () => {
  it('gives a conversation the same key every time', () => {
    expect(lockKeys(['room:lobby'])).toEqual(lockKeys(['room:lobby']));
  });

  it('sorts the keys, so that every writer takes its locks in one order', () => {
    const sut = lockKeys(['room:a', 'room:b', 'room:c', 'dm:1:a:b']);

    expect(sut).toEqual([...sut].sort((a, b) => a - b));
    expect(lockKeys(['room:c', 'dm:1:a:b', 'room:b', 'room:a'])).toEqual(sut);
  });

  it('takes each conversation once', () => {
    expect(lockKeys(['room:a', 'room:a'])).toHaveLength(1);
  });

  it('answers 32-bit signed integers, as pg_advisory_lock(int4, int4) takes them', () => {
    for (const key of lockKeys(Array.from({ length: 100 }, (_, i) => `room:${i}`))) {
      expect(Number.isInteger(key)).toBe(true);
      expect(key).toBeGreaterThanOrEqual(-(2 ** 31));
      expect(key).toBeLessThan(2 ** 31);
    }
  });
});
