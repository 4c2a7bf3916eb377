import { roomMatcher } from './room-patterns.js';

describe('roomMatcher', () => {
  it('matches exact names and * as any run of characters, nothing else', () => {
    const sut = roomMatcher('support-*,vip');

    expect(['support-1', 'support-', 'vip'].map(sut)).toEqual([true, true, true]);
    expect(['vip2', 'xsupport-1', 'random'].map(sut)).toEqual([false, false, false]);
  });

  it('treats the characters of a room name literally (a dot is a dot)', () => {
    const sut = roomMatcher('team.a');

    expect(sut('team.a')).toBe(true);
    expect(sut('teamXa')).toBe(false);
  });

  it('matches nothing when no pattern is given', () => {
    expect(roomMatcher('')('lobby')).toBe(false);
  });
});
