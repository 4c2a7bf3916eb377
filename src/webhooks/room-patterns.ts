/**
 * A test for room names against comma-separated patterns where `*` matches any run of characters
 * (`support-*,vip`); an empty list matches nothing.
 */
export function roomMatcher(patterns: string): (room: string) => boolean {
  const list = patterns.split(',').filter(Boolean);
  if (list.length === 0) return () => false;
  const escaped = list.map((pattern) =>
    pattern.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*'),
  );
  const regex = new RegExp(`^(?:${escaped.join('|')})$`);
  return (room) => regex.test(room);
}
