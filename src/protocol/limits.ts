/** Room names the contract allows. */
export const ROOM_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Rooms whose names start with this need a matching `rooms` claim. */
export const PRIVATE_ROOM_PREFIX = 'private:';

/** Deepest nesting of objects and arrays in an envelope's `data`; deeper frames get `bad_request`. */
export const MAX_DATA_DEPTH = 32;

/** Longest `ref` echoed on replies. */
export const MAX_REF_LENGTH = 64;

/** Longest slow mode, in seconds: one message per user per this long at most (6 hours). */
export const MAX_SLOW_MODE_SECONDS = 21600;

/** Longest timed ban or mute a request may ask for, in ms (100 years: longer is a permanent ban). */
export const MAX_MODERATION_DURATION_MS = 3_153_600_000_000;
