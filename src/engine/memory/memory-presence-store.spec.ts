import { Test } from '@nestjs/testing';
import type { User } from '../../protocol/chat.events.js';
import { MemoryPresenceStore } from './memory-presence-store.js';

const alice: User = { id: 'u-alice', name: 'alice' };
const bob: User = { id: 'u-bob', name: 'bob' };

describe('MemoryPresenceStore', () => {
  let sut: MemoryPresenceStore;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [MemoryPresenceStore],
    }).compile();
    sut = moduleRef.get(MemoryPresenceStore);
  });

  it('reports the first socket of a user in a room as first', async () => {
    expect(await sut.join('lobby', alice, 'c1')).toEqual({ first: true, size: 1 });
  });

  it('reports a second socket of the same user as not first, and counts the user once', async () => {
    await sut.join('lobby', alice, 'c1');

    expect(await sut.join('lobby', alice, 'c2')).toEqual({ first: false, size: 1 });
  });

  it('lists a user with two sockets as one member', async () => {
    await sut.join('lobby', alice, 'c1');
    await sut.join('lobby', alice, 'c2');
    await sut.join('lobby', bob, 'c3');

    expect(await sut.members('lobby')).toEqual([alice, bob]);
  });

  it('keeps a user in the room while one of their sockets remains', async () => {
    await sut.join('lobby', alice, 'c1');
    await sut.join('lobby', alice, 'c2');

    expect(await sut.leave('lobby', alice, 'c1')).toEqual({ last: false, size: 1 });
    expect(await sut.members('lobby')).toEqual([alice]);
  });

  it("reports the user's last socket leaving as last, and removes the user", async () => {
    await sut.join('lobby', alice, 'c1');
    await sut.join('lobby', alice, 'c2');
    await sut.leave('lobby', alice, 'c1');

    expect(await sut.leave('lobby', alice, 'c2')).toEqual({ last: true, size: 0 });
    expect(await sut.members('lobby')).toEqual([]);
  });

  it('counts the users left after a leave', async () => {
    await sut.join('lobby', alice, 'c1');
    await sut.join('lobby', bob, 'c2');

    expect(await sut.leave('lobby', bob, 'c2')).toEqual({ last: true, size: 1 });
  });

  it('keeps rooms apart', async () => {
    await sut.join('a', alice, 'c1');
    await sut.join('b', bob, 'c1');

    expect(await sut.members('a')).toEqual([alice]);
    expect(await sut.members('b')).toEqual([bob]);
  });

  it('treats leaving a room the socket was not in as not last', async () => {
    await sut.join('lobby', alice, 'c1');

    expect(await sut.leave('lobby', bob, 'c9')).toEqual({ last: false, size: 1 });
    expect(await sut.leave('elsewhere', alice, 'c1')).toEqual({ last: false, size: 0 });
  });

  it('counts a socket that joins twice once', async () => {
    await sut.join('lobby', alice, 'c1');
    await sut.join('lobby', alice, 'c1');

    expect(await sut.leave('lobby', alice, 'c1')).toEqual({ last: true, size: 0 });
  });

  it("treats leaving with a socket that is not the user's as not last, whatever their count", async () => {
    await sut.join('lobby', alice, 'c1');
    expect(await sut.leave('lobby', alice, 'c9')).toEqual({ last: false, size: 1 });

    await sut.join('lobby', alice, 'c2');
    expect(await sut.leave('lobby', alice, 'c9')).toEqual({ last: false, size: 1 });
    expect(await sut.members('lobby')).toEqual([alice]);
  });

  it("keeps a user in the room through their sockets' comings and goings until the last leaves", async () => {
    for (const id of ['c1', 'c2', 'c3']) await sut.join('lobby', alice, id);

    expect(await sut.leave('lobby', alice, 'c2')).toEqual({ last: false, size: 1 });
    expect(await sut.leave('lobby', alice, 'c1')).toEqual({ last: false, size: 1 });
    expect(await sut.join('lobby', alice, 'c4')).toEqual({ first: false, size: 1 });
    expect(await sut.leave('lobby', alice, 'c3')).toEqual({ last: false, size: 1 });
    expect(await sut.leave('lobby', alice, 'c4')).toEqual({ last: true, size: 0 });
  });

  it('lets a user rejoin after leaving, as first again', async () => {
    await sut.join('lobby', alice, 'c1');
    await sut.leave('lobby', alice, 'c1');

    expect(await sut.join('lobby', alice, 'c1')).toEqual({ first: true, size: 1 });
  });
});
