import { createHash } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ChatException } from '../domain/chat.exception.js';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../domain/publisher/chat-publisher.js';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import type { AuthorizedRequest } from './api-key.guard.js';

/** The request header that makes a publish or DM idempotent. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * The `Idempotency-Key` header as the publisher's `idempotencyKey`, scoped to the API key's id (two
 * backends using the same key never meet), or undefined without the header; one over
 * MAX_IDEMPOTENCY_KEY_LENGTH characters is a `validation_failed`.
 */
export const IdempotencyKey = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined => {
    const request = context.switchToHttp().getRequest<AuthorizedRequest>();
    return scopedIdempotencyKey(request.apiKey.id, request.headers['idempotency-key']);
  },
);

/** `<key id>:<SHA-256 of the header>`, within the publisher's bound whatever the header's length. */
export function scopedIdempotencyKey(
  keyId: string,
  header: string | string[] | undefined,
): string | undefined {
  if (header === undefined) return undefined;
  if (
    typeof header !== 'string' ||
    header.length === 0 ||
    header.length > MAX_IDEMPOTENCY_KEY_LENGTH
  )
    throw new ChatException(ChatErrorCode.ValidationFailed, 'validation failed', [
      {
        field: IDEMPOTENCY_KEY_HEADER,
        errors: [`${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`],
      },
    ]);
  return `${keyId}:${createHash('sha256').update(header).digest('hex')}`;
}
