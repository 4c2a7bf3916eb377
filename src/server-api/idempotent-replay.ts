import type { Response } from 'express';
import type { Published } from '../domain/publisher/chat-publisher.js';
import type { ChatMessage, DirectMessage } from '../protocol/chat.events.js';

/** The response header that tells a replay of an earlier `Idempotency-Key` from a first call. */
export const REPLAY_HEADER = 'Idempotent-Replayed';

/** The replay header as the OpenAPI document describes it. */
export const REPLAY_HEADER_DOC = {
  [REPLAY_HEADER]: {
    description:
      '`true` when the Idempotency-Key was seen before: the body is the first call’s message',
    schema: { type: 'string', enum: ['true'] },
  },
};

/** The body of a publish: the message alone, the same for a replay, which only the header marks. */
export function markReplay<M extends ChatMessage | DirectMessage>(
  response: Response,
  published: Published<M>,
): M {
  if (published.duplicate) response.setHeader(REPLAY_HEADER, 'true');
  return published.message;
}
