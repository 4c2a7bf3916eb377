import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDetailsView } from './dto/views.dto.js';
import { PROBLEM_MEDIA_TYPE } from './problem-details.js';

/** What each refusal status means, as the OpenAPI document describes it. */
const MEANINGS: Readonly<Record<number, string>> = {
  400: 'validation_failed: a bad body, query or parameter; `errors` lists each field',
  401: 'unauthorized: no valid API key (missing, unknown and revoked keys look the same)',
  403: 'forbidden: the key lacks the scope, or the room is outside its patterns',
  404: 'not_found: the message does not exist (or is not in the room)',
  413: 'payload_too_large: the body is over SERVER_API_MAX_BODY_BYTES',
  429: 'rate_limited: the key (or the sender) is over its rate; see Retry-After',
  503: 'unavailable: the store, the broker or presence cannot be reached; retry',
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
