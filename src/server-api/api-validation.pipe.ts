import { ValidationPipe } from '@nestjs/common';
import { ChatException } from '../domain/chat.exception.js';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { flattenValidationErrors } from '../validation/class-validator-details.js';

/**
 * Nest's `ValidationPipe` for the server HTTP API's bodies and queries: a field without rules is refused
 * (not silently dropped), query strings are converted to the DTO's types, and a failure is
 * `validation_failed` with the gateway's `[{ field, errors }]` details, so the problem lists every field.
 */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new ChatException(
        ChatErrorCode.ValidationFailed,
        'validation failed',
        flattenValidationErrors(errors),
      ),
  });
}
