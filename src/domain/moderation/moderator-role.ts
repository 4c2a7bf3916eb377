/**
 * Whether these roles make a moderator of `room` (or, with no room, of the whole service): the role
 * `roleName` everywhere; `<roleName>:<room pattern>` in the rooms the pattern names, exactly or by a
 * trailing `*` (`moderator:support-*`), never the whole service.
 */
export function moderates(
  roles: readonly string[] | undefined,
  roleName: string,
  room?: string,
): boolean {
  if (roles === undefined) return false;
  const scoped = `${roleName}:`;
  for (const role of roles) {
    if (role === roleName) return true;
    if (room === undefined || !role.startsWith(scoped)) continue;
    const pattern = role.slice(scoped.length);
    if (pattern.endsWith('*') ? room.startsWith(pattern.slice(0, -1)) : room === pattern)
      return true;
  }
  return false;
}
