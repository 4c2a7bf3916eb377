import type { ModerationEntry } from '../moderation-store.js';
import { MemoryModerationStore } from './memory-moderation-store.js';

const ban = (userId: string, until?: number): ModerationEntry => ({
  kind: 'ban',
  scope: 'ops',
  userId,
  by: 'mod',
  at: 0,
  ...(until !== undefined && { until }),
});

describe('MemoryModerationStore', () => {
  let sut: MemoryModerationStore;

  beforeEach(() => {
    sut = new MemoryModerationStore();
  });

  it('loads the entries in force and drops the ones that ended', async () => {
    await sut.set(ban('a'), 10, 0);
    await sut.set(ban('b', 100), 10, 0);

    expect(await sut.load(50)).toEqual([ban('a'), ban('b', 100)]);
    expect(await sut.load(100)).toEqual([ban('a')]);
  });

  it('refuses a new entry past the bound as a value, but replaces a known one', async () => {
    await sut.set(ban('a'), 1, 0);

    expect(await sut.set(ban('b'), 1, 0)).toEqual({ refused: 'full', max: 1 });
    expect(await sut.set(ban('a', 500), 1, 0)).toBeUndefined();
    expect(await sut.load(0)).toEqual([ban('a', 500)]);
  });

  it('makes room for a new entry when an old one has ended', async () => {
    await sut.set(ban('a', 10), 1, 0);

    expect(await sut.set(ban('b'), 1, 20)).toBeUndefined();
  });

  it('lifts an entry, telling whether it was there', async () => {
    await sut.set(ban('a'), 10, 0);

    expect(await sut.lift({ kind: 'ban', scope: 'ops', userId: 'a' })).toBe(true);
    expect(await sut.lift({ kind: 'ban', scope: 'ops', userId: 'a' })).toBe(false);
    expect(await sut.load(0)).toEqual([]);
  });
});
