import type { ChatMessage, User } from '../protocol/chat.events.js';

/** Every webhook event type, in the order the docs list them. */
export const WEBHOOK_EVENT_TYPES = [
  'room.occupied',
  'room.vacated',
  'member.joined',
  'member.left',
  'message.created',
] as const;

/** One webhook event type. */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What every event carries: its id (the same on every attempt: receivers dedupe on it) and when it happened. */
interface EventBase {
  id: string;
  /** When it happened, ms since the epoch (for member.left and room.vacated: when the user left). */
  ts: number;
  room: string;
}

/** One webhook event, as it appears in a request's `events`. */
export type WebhookEvent =
  | (EventBase & { type: 'room.occupied' | 'room.vacated' })
  | (EventBase & { type: 'member.joined' | 'member.left'; user: User })
  | (EventBase & { type: 'message.created'; message: ChatMessage });

/** The JSON body of one webhook request: events in the order they happened. */
export interface WebhookBody {
  events: WebhookEvent[];
}
