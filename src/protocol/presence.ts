/**
 * Whether a user's arrival in or departure from a room is announced with a `presence` event: only in
 * rooms of at most `maxMembers` users (the user counted), and never for `quietRoom` (the default room on
 * connect and disconnect, which every socket enters and leaves without a word).
 */
export function announcesPresence(
  room: string,
  membersWithUser: number,
  rule: { maxMembers: number; quietRoom?: string },
): boolean {
  return membersWithUser <= rule.maxMembers && room !== rule.quietRoom;
}
