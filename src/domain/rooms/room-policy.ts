import type { Identity } from '../../auth/identity.js';

/**
 * A room policy's answer: `true` lets the user in (or the message through); `false` refuses with the
 * default reason; `{ reason, details? }` refuses, the client seeing `reason` as the `forbidden` error's
 * message and `details` as its details.
 */
export type RoomVerdict = boolean | RoomRefusal;

/** A refusal with what the client is told: `reason` in the error's `message`, `details` (JSON) in its `details`. */
export interface RoomRefusal {
  readonly reason: string;
  readonly details?: Record<string, unknown>;
}

/**
 * Whether a user may enter a room (`join`) and send in it (`message`), asked at each such event with the
 * `Identity` the identity provider settled; a refusal is the `forbidden` error, anything thrown is
 * `internal` (logged). Answer synchronously when nothing needs waiting for. A host replaces it through
 * `SwitchboardModule`'s `roomPolicy` option.
 */
export abstract class RoomPolicy {
  /** May `identity` join `room`? Asked at every `join`, including one of a room already joined. */
  abstract mayEnter(identity: Identity, room: string): RoomVerdict | Promise<RoomVerdict>;

  /** May `identity` send a message in `room`, which it has joined? Asked at every `message`. */
  abstract maySend(identity: Identity, room: string): RoomVerdict | Promise<RoomVerdict>;
}
