import { RoomHeads } from '../cache/room-heads.js';
import type { ChatConnection } from './chat-connection.js';
import { ConnectionRegistry } from './connection-registry.js';

/** Just what the registry reads of a connection: who it is and which rooms it is in. */
function connectionOf(userId: string, rooms: string[] = []): ChatConnection {
  return { user: { id: userId, name: userId }, rooms: new Set(rooms) } as unknown as ChatConnection;
}

describe('ConnectionRegistry', () => {
  let sut: ConnectionRegistry;

  beforeEach(() => {
    sut = new ConnectionRegistry(new RoomHeads());
  });

  it("lists a user's one connection", () => {
    const ann = connectionOf('ann');

    sut.add(ann);

    expect([...sut.ofUser('ann')]).toEqual([ann]);
    expect([...sut.ofUser('bob')]).toEqual([]);
  });

  it("lists each of a user's connections once, however often one is added", () => {
    const [first, second, third] = [connectionOf('ann'), connectionOf('ann'), connectionOf('ann')];

    sut.add(first);
    sut.add(first);
    sut.add(second);
    sut.add(third);
    sut.add(second);

    expect([...sut.ofUser('ann')]).toEqual([first, second, third]);
    expect(sut.size).toBe(3);
  });

  it('lists every open connection, of every user, and counts them', () => {
    const [ann, bob, bob2] = [connectionOf('ann'), connectionOf('bob'), connectionOf('bob')];
    for (const connection of [ann, bob, bob2]) sut.add(connection);

    expect(new Set(sut.all())).toEqual(new Set([ann, bob, bob2]));
    expect(sut.size).toBe(3);
    sut.remove(bob);
    sut.remove(bob);

    expect(new Set(sut.all())).toEqual(new Set([ann, bob2]));
    expect(sut.size).toBe(2);
  });

  it('makes ids of the node id and a sequence, never the same twice', () => {
    const ids = [sut.nextId(), sut.nextId()];

    expect(ids[0]).toMatch(new RegExp(`^${sut.nodeId}\\.[0-9a-z]+$`));
    expect(ids[1]).not.toBe(ids[0]);
  });

  it("keeps a user's other connections as they close, down to none", () => {
    const [first, second, third] = [connectionOf('ann'), connectionOf('ann'), connectionOf('ann')];
    for (const connection of [first, second, third]) sut.add(connection);

    sut.remove(second);
    expect([...sut.ofUser('ann')]).toEqual([first, third]);
    sut.remove(first);
    expect([...sut.ofUser('ann')]).toEqual([third]);
    sut.add(first);
    expect([...sut.ofUser('ann')]).toEqual([third, first]);
    sut.remove(third);
    sut.remove(first);

    expect([...sut.ofUser('ann')]).toEqual([]);
    expect(sut.size).toBe(0);
  });

  it('forgets a user whose only connection closed', () => {
    const ann = connectionOf('ann');
    sut.add(ann);

    sut.remove(ann);

    expect([...sut.ofUser('ann')]).toEqual([]);
    expect([...sut.all()]).toEqual([]);
  });

  it("ignores removing a connection that is not the user's", () => {
    const ann = connectionOf('ann');
    sut.add(ann);

    sut.remove(connectionOf('ann'));

    expect([...sut.ofUser('ann')]).toEqual([ann]);
  });

  it('takes a closed connection out of the rooms it was in, and forgets a room once empty', () => {
    const [ann, bob] = [connectionOf('ann', ['hall']), connectionOf('bob', ['hall'])];
    for (const connection of [ann, bob]) {
      sut.add(connection);
      sut.addToRoom('hall', connection);
    }

    sut.remove(ann);
    expect([...(sut.inRoom('hall') ?? [])]).toEqual([bob]);
    sut.remove(bob);

    expect(sut.hasRoom('hall')).toBe(false);
  });
});
