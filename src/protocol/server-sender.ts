/**
 * Ids of the senders the server publishes as (`ChatPublisher`) start with this, and no socket may
 * connect with one: a message whose `from.id` starts with it came from the host's server, never a user.
 */
export const SERVER_SENDER_PREFIX = 'server:';

/** A server sender's id: the prefix, then 1 to 57 of the characters a user id may hold (64 in all). */
export const SERVER_SENDER_ID = /^server:[A-Za-z0-9_.:@-]{1,57}$/;

/** Whether a user id is in the server senders' namespace (and so refused at the upgrade). */
export function isServerSenderId(userId: string): boolean {
  return userId.startsWith(SERVER_SENDER_PREFIX);
}
