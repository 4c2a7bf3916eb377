/** Every cache key, built in this one place. */
export const CacheKeys = {
  /** The latest page of a room's history, as shown on join. */
  recentHistory: (room: string): string => `history:${room}`,
} as const;
