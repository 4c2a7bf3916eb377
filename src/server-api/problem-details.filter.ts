import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ChatException } from '../domain/chat.exception.js';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import {
  PROBLEM_MEDIA_TYPE,
  PROBLEM_STATUS,
  problemOf,
  type ProblemCode,
  type ProblemDetails,
} from './problem-details.js';
import { ServerApiOff, ServerApiRefusal } from './server-api-refusal.js';

/** The problem code of an HTTP status Nest itself threw (a pipe, a missing route parameter). */
const CODE_OF_STATUS: Readonly<Record<number, ProblemCode>> = {
  400: ChatErrorCode.BadRequest,
  401: 'unauthorized',
  403: ChatErrorCode.Forbidden,
  404: ChatErrorCode.NotFound,
  411: 'length_required',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: ChatErrorCode.RateLimited,
  503: ChatErrorCode.Unavailable,
};

/**
 * Everything the server HTTP API's routes throw, as an RFC 9457 problem (`application/problem+json`):
 * a `ChatException` by its code (one status table, `PROBLEM_STATUS`), the guard's and body reader's
 * refusals, Nest's own HTTP exceptions; faults are logged with their stack and shown only as `internal`.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ServerApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    if (exception instanceof ServerApiOff) {
      const request = http.getRequest<Request>();
      // Nest's own answer to a route that does not exist: an API that is off is not there.
      response.status(404).json({
        message: `Cannot ${request.method} ${request.url}`,
        error: 'Not Found',
        statusCode: 404,
      });
      return;
    }
    sendProblem(response, this.problemFor(exception));
  }

  private problemFor(exception: unknown): ProblemDetails {
    if (exception instanceof ServerApiRefusal)
      return problemOf(exception.code, exception.detail, { retryAfterMs: exception.retryAfterMs });
    if (exception instanceof ChatException) return problemOfChatException(exception);
    if (exception instanceof HttpException) {
      const code = CODE_OF_STATUS[exception.getStatus()];
      if (code) return problemOf(code, exception.message);
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return problemOf(ChatErrorCode.Internal, 'internal error');
  }
}

/** Writes `problem` with its status, media type, and the headers its status calls for. */
export function sendProblem(response: Response, problem: ProblemDetails): void {
  if (problem.status === 401) response.setHeader('WWW-Authenticate', 'Bearer');
  if (problem.retryAfterMs !== undefined)
    response.setHeader('Retry-After', String(Math.max(1, Math.ceil(problem.retryAfterMs / 1000))));
  response.status(problem.status).type(PROBLEM_MEDIA_TYPE).send(JSON.stringify(problem));
}

function problemOfChatException(exception: ChatException): ProblemDetails {
  const code = exception.code in PROBLEM_STATUS ? exception.code : ChatErrorCode.Internal;
  const { details } = exception;
  if (code === ChatErrorCode.ValidationFailed && Array.isArray(details))
    return problemOf(code, exception.message, { errors: details as ProblemDetails['errors'] });
  const retryAfterMs = (details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return problemOf(code, exception.message, {
    retryAfterMs: typeof retryAfterMs === 'number' ? retryAfterMs : undefined,
  });
}
