import { applyDecorators } from '@nestjs/common';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/** Not only whitespace: what is left after trimming, which `ChatService` does, must not be empty. */
const NOT_BLANK = /\S/;

/** Message text: a string that is not blank; `ChatService` trims it and checks its configured maximum. */
export function IsMessageText(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(NOT_BLANK, { message: 'text must not be empty after trimming' }),
    // What the AsyncAPI document says besides the rules above: the limit is configuration, checked later.
    JSONSchema({
      description: 'not blank; trimmed, then at most MAX_TEXT_LENGTH (default 4000) characters',
    }),
  );
}

/** An optional idempotency key of at most 64 characters. */
export function IsClientMsgId(): PropertyDecorator {
  return applyDecorators(IsOptional(), IsString(), IsNotEmpty(), MaxLength(64));
}
