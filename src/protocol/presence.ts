/**
 * Whether a user's arrival in or departure from a room is announced with a `presence` event: only in
 * rooms of at most `maxMembers` users (the user counted). The default room is no exception, so its member
 * list stays right; past `maxMembers` a room (the default one first) shows a count instead of a list.
 */
export function announcesPresence(membersWithUser: number, maxMembers: number): boolean {
  return membersWithUser <= maxMembers;
}
