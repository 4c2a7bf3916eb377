import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { ProblemDetailsView } from './dto/views.dto.js';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-key.decorator.js';
import { REPLAY_HEADER_DOC } from './idempotent-replay.js';
import { PROBLEM_MEDIA_TYPE } from './problem-details.js';

/** What each refusal status means, as the OpenAPI document describes it. */
const MEANINGS: Readonly<Record<number, string>> = {
  400: 'validation_failed: a bad body, query or parameter; `errors` lists each field',
  401: 'unauthorized: no valid API key (missing, unknown and revoked keys look the same)',
  403: 'forbidden: the key lacks the scope, or the room is outside its patterns',
  404: 'not_found: the message does not exist (or is not in the room)',
  413: 'payload_too_large: the body is over SERVER_API_MAX_BODY_BYTES',
  429: 'rate_limited: the key (or the sender) is over its rate; see Retry-After',
  503: "unavailable: the store, the broker, presence or the keys' rate limit (Redis) cannot be reached; retry",
};

/** The problem responses every route of the server HTTP API may give, plus `extra` statuses. */
export function ApiProblems(...extra: number[]): MethodDecorator {
  const statuses = [400, 401, 403, 429, 503, ...extra];
  return applyDecorators(
    ApiExtraModels(ProblemDetailsView),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: MEANINGS[status] ?? 'a refusal',
        content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsView) } } },
      }),
    ),
  );
}

/**
 * An idempotent create as the OpenAPI document describes it: the optional `Idempotency-Key` header, 201
 * with `view` and the replay header, and the problem responses, 413 included (it takes a body).
 */
export function ApiIdempotentCreate(view: Type<unknown>): MethodDecorator {
  return applyDecorators(
    ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: false, description: '1-256 characters' }),
    ApiCreatedResponse({ type: view, headers: REPLAY_HEADER_DOC }),
    ApiProblems(413),
  );
}
