import type { ChatMessage, User } from '../protocol/chat.events.js';

/**
 * What the domain tells an observer (the webhooks) as it happens, with the cluster-wide truth the presence
 * store returned: each fact reaches the observer on exactly one node. Calls are synchronous and must only
 * record: the chat path makes them.
 */
export abstract class ChatObserver {
  /** False when `messageCreated` would ignore every message: the write path then skips the call. */
  abstract readonly observesMessages: boolean;
  /** A user's first socket entered a room; `occupied` when the room had no member before. */
  abstract memberJoined(room: string, user: User, occupied: boolean): void;
  /** A user's last socket left a room; `vacated` when the room has no member left. */
  abstract memberLeft(room: string, user: User, vacated: boolean): void;
  /** A room message was stored (a resend of a known `clientMsgId` is not a new message). */
  abstract messageCreated(message: ChatMessage): void;
}

/** The observer when nothing observes: every call is a no-op. */
export class NoChatObserver extends ChatObserver {
  readonly observesMessages = false;
  memberJoined(): void {}
  memberLeft(): void {}
  messageCreated(): void {}
}
