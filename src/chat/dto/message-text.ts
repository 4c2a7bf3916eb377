import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** Message text: a string, trimmed, not empty; its configured maximum is checked by `ChatService`. */
export function IsMessageText(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.trim() : value,
    ),
    IsString(),
    IsNotEmpty({ message: 'text must not be empty after trimming' }),
  );
}

/** An optional idempotency key of at most 64 characters. */
export function IsClientMsgId(): PropertyDecorator {
  return applyDecorators(IsOptional(), IsString(), IsNotEmpty(), MaxLength(64));
}
