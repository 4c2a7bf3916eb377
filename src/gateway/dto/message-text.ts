import { applyDecorators } from '@nestjs/common';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Not only whitespace: what is left after trimming, which `ChatService` does, must not be empty. */
const NOT_BLANK = /\S/;

/** Message text: a string that is not blank; `ChatService` trims it and checks its configured maximum. */
export function IsMessageText(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(NOT_BLANK, { message: 'text must not be empty after trimming' }),
  );
}

/** An optional idempotency key of at most 64 characters. */
export function IsClientMsgId(): PropertyDecorator {
  return applyDecorators(IsOptional(), IsString(), IsNotEmpty(), MaxLength(64));
}
