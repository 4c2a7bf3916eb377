import { ChatErrorCode } from '../protocol/chat-error-code.js';

/**
 * The `code` of a problem: a `ChatErrorCode` when the chat refused, else one of the HTTP layer's own
 * refusals (no valid key, a body too large or without a length, a body that is not JSON).
 */
export type ProblemCode =
  | ChatErrorCode
  | 'unauthorized'
  | 'payload_too_large'
  | 'length_required'
  | 'unsupported_media_type';

/** An RFC 9457 problem details body, as every refusal of the server HTTP API is sent. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  /** For `validation_failed`: each invalid field and what is wrong with it. */
  errors?: Array<{ field: string; errors: string[] }>;
  /** For `rate_limited`: when to try again, as `Retry-After` says in seconds. */
  retryAfterMs?: number;
}

/** The media type of a problem details body. */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** The HTTP status of each problem code: one table, read by the filter and the OpenAPI document. */
export const PROBLEM_STATUS: Readonly<Record<ProblemCode, number>> = {
  [ChatErrorCode.BadRequest]: 400,
  [ChatErrorCode.ValidationFailed]: 400,
  // The API has no events of its own to be unknown; a publisher never answers it, but the table is total.
  [ChatErrorCode.UnknownEvent]: 400,
  [ChatErrorCode.NotInRoom]: 409,
  [ChatErrorCode.Forbidden]: 403,
  [ChatErrorCode.NotFound]: 404,
  [ChatErrorCode.RateLimited]: 429,
  [ChatErrorCode.Unavailable]: 503,
  [ChatErrorCode.Internal]: 500,
  unauthorized: 401,
  payload_too_large: 413,
  length_required: 411,
  unsupported_media_type: 415,
};

/** The standard reason phrase of each status the API answers with, used as `title`. */
const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  411: 'Length Required',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * The problem for `code`: `type` is `about:blank` (RFC 9457: the status says it all, `title` is its
 * phrase), and `code` tells problems of one status apart.
 */
export function problemOf(
  code: ProblemCode,
  detail: string,
  extensions: Pick<ProblemDetails, 'errors' | 'retryAfterMs'> = {},
): ProblemDetails {
  const status = PROBLEM_STATUS[code];
  return { type: 'about:blank', title: TITLES[status], status, detail, code, ...extensions };
}
