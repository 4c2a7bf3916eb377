import { Injectable, ValidationPipe, type ValidationError } from '@nestjs/common';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { ChatErrorCode } from './chat-error-code.js';
import { ChatException } from './chat.exception.js';

/** One invalid field, as listed in `error.details`. */
export interface FieldError {
  field: string;
  errors: string[];
}

/** `ValidationPipe` for gateway events: transforms into the DTO, strips unknown fields, and fails with `validation_failed`. */
@Injectable()
export class ChatValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors: ValidationError[]) =>
        new ChatException(ChatErrorCode.ValidationFailed, 'validation failed', flatten(errors)),
    });
  }

  /** Our DTOs have no async rules: validating synchronously spares a promise per event. */
  protected override validate(object: object, options?: ValidatorOptions): ValidationError[] {
    return validateSync(object, options);
  }
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => [
    ...(error.constraints
      ? [{ field: prefix + error.property, errors: Object.values(error.constraints) }]
      : []),
    ...flatten(error.children ?? [], `${prefix}${error.property}.`),
  ]);
}
