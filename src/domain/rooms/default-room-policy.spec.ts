import { DefaultRoomPolicy, mayEnterRoom } from './default-room-policy.js';

describe('mayEnterRoom', () => {
  it('lets anyone into a room that is not private', () => {
    expect(mayEnterRoom('lobby', [])).toBe(true);
  });

  it('lets anyone into a room that only mentions private later in its name', () => {
    expect(mayEnterRoom('not-private:x', [])).toBe(true);
  });

  it('keeps a user without claims out of a private room', () => {
    expect(mayEnterRoom('private:x', [])).toBe(false);
  });

  it('lets a user into a private room their claims name exactly', () => {
    expect(mayEnterRoom('private:x', ['private:y', 'private:x'])).toBe(true);
  });

  it('does not treat an exact claim as a prefix', () => {
    expect(mayEnterRoom('private:xy', ['private:x'])).toBe(false);
  });

  it('does not let an exact claim for another private room in', () => {
    expect(mayEnterRoom('private:x', ['private:y'])).toBe(false);
  });

  it('lets a trailing * match any suffix', () => {
    expect(mayEnterRoom('private:team-red', ['private:team-*'])).toBe(true);
  });

  it('lets a trailing * match the empty suffix', () => {
    expect(mayEnterRoom('private:team-', ['private:team-*'])).toBe(true);
  });

  it('keeps a user out of private rooms outside their wildcard', () => {
    expect(mayEnterRoom('private:other', ['private:team-*'])).toBe(false);
  });

  it('lets private:* open every private room', () => {
    expect(mayEnterRoom('private:anything', ['private:*'])).toBe(true);
  });

  it('treats a * that is not trailing as a literal character', () => {
    expect(mayEnterRoom('private:a-x', ['private:*-x'])).toBe(false);
  });
});

describe('DefaultRoomPolicy', () => {
  const sut = new DefaultRoomPolicy();
  const alice = { user: { id: 'u-alice', name: 'Alice' } };

  it("lets a user into a private room their identity's room claims name", () => {
    expect(sut.mayEnter({ ...alice, roomClaims: ['private:team-*'] }, 'private:team-red')).toBe(
      true,
    );
  });

  it('keeps a user whose identity carries no room claims out of private rooms', () => {
    expect(sut.mayEnter(alice, 'private:team-red')).toBe(false);
  });

  it('lets a user without claims into an open room', () => {
    expect(sut.mayEnter(alice, 'lobby')).toBe(true);
  });

  it('lets anyone in a room send in it, synchronously', () => {
    expect(sut.maySend(alice, 'private:team-red')).toBe(true);
  });
});
