import { Reflector } from '@nestjs/core';
import type { ServerEvents } from '../protocol/chat.events.js';

/** What the AsyncAPI document (`GET /asyncapi.json`) says of a gateway event besides its DTO's schema. */
export interface AsyncApiEventDoc {
  /** What the event does, for the client's author: one or two sentences. */
  description: string;
  /** The server event that answers it, if one does (an `error` may answer any event). */
  reply?: keyof ServerEvents;
}

/**
 * Describes a handler's event in the AsyncAPI document, beside its `@SubscribeMessage`; the contract spec
 * fails on a gateway event without it.
 */
export const AsyncApiEvent = Reflector.createDecorator<AsyncApiEventDoc>();
