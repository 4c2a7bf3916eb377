/** Every conversation key of the database, built in this one place. */
export const ConversationKey = {
  /** A room's conversation. */
  room: (room: string): string => `room:${room}`,
  /**
   * The direct conversation of two users, whichever of them sends: ids sorted, the first one's length
   * in front, since user ids may hold colons (`a:b` + `c` and `a` + `b:c` must not meet).
   */
  direct: (a: string, b: string): string => {
    const [first, second] = directMembers(a, b);
    return `dm:${first.length}:${first}:${second}`;
  },
} as const;

/** The two users of a direct conversation, sorted as its key and its member columns hold them. */
export function directMembers(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

/** The two users of a direct conversation's key, or undefined for a room's key. */
export function membersOfDirectKey(key: string): [string, string] | undefined {
  if (!key.startsWith('dm:')) return undefined;
  const colon = key.indexOf(':', 3);
  const length = Number(key.slice(3, colon));
  const first = key.slice(colon + 1, colon + 1 + length);
  return [first, key.slice(colon + 2 + length)];
}
