import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthorizedRequest } from './api-key.guard.js';

/** Who a moderation call through the API is recorded as (`by`): the key's id as a server sender. */
export function apiActorOf(keyId: string): string {
  return `server:api-${keyId}`;
}

/** The `by` of a moderation call: `server:api-<id>` of the API key that made it. */
export const ApiActor = createParamDecorator((_: unknown, context: ExecutionContext): string =>
  apiActorOf(context.switchToHttp().getRequest<AuthorizedRequest>().apiKey.id),
);
