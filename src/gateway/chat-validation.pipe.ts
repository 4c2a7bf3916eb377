import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { ChatException } from '../domain/chat.exception.js';
import { toDtoInstance } from './dto-instance.js';
import { validatorFor } from '../validation/dto-validator.js';

export type { FieldError } from '../validation/field-error.js';

/** Types a handler parameter may declare that are not DTO classes: passed through as they came. */
const NOT_DTOS: readonly unknown[] = [String, Boolean, Number, Array, Object, Buffer, Date];

/**
 * Validates an event's `data` into its DTO class (class-transformer when the class asks for it, then
 * class-validator, through a validator compiled per class, see `src/validation`), strips fields
 * the DTO does not declare, and fails with `validation_failed` listing every invalid field. Synchronous,
 * unlike Nest's `ValidationPipe`: the gateway's lean path then runs an event with no promise hop. The
 * adapter has already checked that `data` is a plain object of bounded depth without prototype keys.
 */
@Injectable()
export class ChatValidationPipe implements PipeTransform {
  transform(value: unknown, { metatype, type }: ArgumentMetadata): unknown {
    if (type === 'custom' || typeof metatype !== 'function' || NOT_DTOS.includes(metatype))
      return value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ChatException(ChatErrorCode.ValidationFailed, 'validation failed', [
        { field: 'data', errors: ['data must be an object'] },
      ]);
    }
    const dto = toDtoInstance(metatype as new () => object, value);
    const details = validatorFor(metatype as new () => object).validate(dto);
    if (details !== null) {
      throw new ChatException(ChatErrorCode.ValidationFailed, 'validation failed', details);
    }
    return dto;
  }
}
