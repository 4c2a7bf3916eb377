import type { Delivery } from './broker.js';
import type { StoredSend } from './message-store.js';

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
