import { parseEnvironment } from '../../config/app-config.js';
import type { Broker, Delivery } from '../../engine/broker.js';
import type { ConversationStore, ReadOutcome } from '../../engine/conversation-store.js';
import type { PresenceStore } from '../../engine/presence-store.js';
import type { ChatSession } from '../session.js';
import { ConversationsService } from './conversations.service.js';

const reader = { id: 'bob', name: 'Bob' };
const session = { id: 'conn-1', user: reader } as ChatSession;

/** A service over a store answering `outcome`, recording what it publishes. */
function build(outcome: ReadOutcome | null, members = 2) {
  const published: Delivery[] = [];
  const broker = {
    publish: async (batch: readonly Delivery[]) => void published.push(...batch),
  } as unknown as Broker;
  const store = outcome && ({ read: async () => outcome } as unknown as ConversationStore);
  const presence = { count: async () => members } as unknown as PresenceStore;
  const sut = new ConversationsService(
    parseEnvironment({ READ_RECEIPT_INTERVAL_MS: '0', PRESENCE_MAX_MEMBERS: '5' }),
    store,
    broker,
    presence,
  );
  return { sut, published };
}

/** Lets the receipt's presence count and publish settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ConversationsService', () => {
  it('answers unavailable without a database', async () => {
    const { sut } = build(null);

    await expect(sut.list(reader, 10)).rejects.toMatchObject({
      code: 'unavailable',
      message: 'needs a database (DATABASE_URL)',
    });
    await expect(sut.read(session, { room: 'r' }, 'x', false)).rejects.toMatchObject({
      code: 'unavailable',
    });
  });

  it('answers not_found for an id of no message there, and not_in_room for a room never joined', async () => {
    await expect(
      build({ kind: 'not-found' }).sut.read(session, { room: 'r' }, 'x', false),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      build({ kind: 'not-member' }).sut.read(session, { room: 'r' }, 'x', false),
    ).rejects.toMatchObject({ code: 'not_in_room' });
  });

  it('syncs a move to the user’s other sockets and sends the room a receipt the reader does not get', async () => {
    const { sut, published } = build({ kind: 'read', id: 'e-1', unread: 3, moved: true });

    const state = await sut.read(session, { room: 'r' }, 'e-1', false);
    await settle();

    expect(state).toEqual({ room: 'r', id: 'e-1', unread: 3 });
    expect(published).toEqual([
      { target: 'user', userIds: ['bob'], event: 'read', data: state, exclude: 'conn-1' },
      {
        target: 'room',
        room: 'r',
        event: 'receipt',
        data: { room: 'r', user: reader, id: 'e-1' },
        excludeUser: 'bob',
      },
    ]);
  });

  it('sends a DM receipt to the other user, named from their side', async () => {
    const { sut, published } = build({ kind: 'read', id: 'e-1', unread: 0, moved: true });

    await sut.read(session, { with: 'alice' }, 'e-1', false);
    await settle();

    expect(published[1]).toEqual({
      target: 'user',
      userIds: ['alice'],
      event: 'receipt',
      data: { with: 'bob', user: reader, id: 'e-1' },
    });
  });

  it('publishes nothing for a read that did not move the pointer', async () => {
    const { sut, published } = build({ kind: 'read', id: 'e-2', unread: 0, moved: false });

    await sut.read(session, { room: 'r' }, 'e-1', false);
    await settle();

    expect(published).toEqual([]);
  });

  it('sends no receipt for a private read, nor in a room over PRESENCE_MAX_MEMBERS', async () => {
    const moved: ReadOutcome = { kind: 'read', id: 'e-1', unread: 0, moved: true };
    const quiet = build(moved);
    const crowded = build(moved, 6);

    await quiet.sut.read(session, { room: 'r' }, 'e-1', true);
    await crowded.sut.read(session, { room: 'r' }, 'e-1', false);
    await settle();

    expect(quiet.published.map((delivery) => delivery.event)).toEqual(['read']);
    expect(crowded.published.map((delivery) => delivery.event)).toEqual(['read']);
  });
});
