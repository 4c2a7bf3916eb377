import type { Delivery } from './broker.js';
import type { PendingChange, StoredChange, StoredSend } from './message-store.js';

/**
 * What a stored send fans out: a room message to the room, a direct message to the recipient and the
 * sender (their other sockets); never to the sending connection.
 */
export function deliveryOf(send: StoredSend, origin: string): Delivery {
  if (send.kind === 'room') {
    const { message } = send;
    return {
      target: 'room',
      room: message.room,
      event: 'message',
      data: message,
      id: message.id,
      exclude: origin,
    };
  }
  const { message } = send;
  return {
    target: 'user',
    userIds: [message.to, message.from.id],
    event: 'dm',
    data: message,
    exclude: origin,
  };
}

/**
 * What a committed change fans out: `edited` or `deleted` to the room (carrying its entry's id, which
 * orders it against a join's history and moves the room's head), or for a DM to both users' sockets
 * (`to` is the other user); never to the requesting connection.
 */
export function changeDeliveryOf(change: PendingChange, stored: StoredChange): Delivery {
  const { id, ts: at } = stored;
  const from = change.from;
  const where =
    'room' in change.conversation
      ? { room: change.conversation.room }
      : { to: change.conversation.with };
  const exclude = change.origin;
  if ('room' in change.conversation) {
    const room = change.conversation.room;
    return stored.action === 'edited'
      ? {
          target: 'room',
          room,
          event: 'edited',
          data: { ...where, id, text: change.text ?? '', editedAt: at, from },
          id: stored.entry,
          exclude,
        }
      : {
          target: 'room',
          room,
          event: 'deleted',
          data: { ...where, id, deletedAt: at, from },
          id: stored.entry,
          exclude,
        };
  }
  const userIds = [change.conversation.with, from.id];
  return stored.action === 'edited'
    ? {
        target: 'user',
        userIds,
        event: 'edited',
        data: { ...where, id, text: change.text ?? '', editedAt: at, from },
        exclude,
      }
    : {
        target: 'user',
        userIds,
        event: 'deleted',
        data: { ...where, id, deletedAt: at, from },
        exclude,
      };
}
