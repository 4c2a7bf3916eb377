import { applyDecorators } from '@nestjs/common';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_MODERATION_DURATION_MS } from '../../protocol/limits.js';

/** Outer bound of a reason on the wire; MODERATION_MAX_REASON_LENGTH, checked by the service, is the real one. */
const MAX_REASON_FIELD_LENGTH = 1000;

/** The user a moderation request acts on: a user id, 1 to 64 characters. */
export function IsModeratedUserId(): PropertyDecorator {
  return applyDecorators(IsString(), IsNotEmpty(), MaxLength(64));
}

/** How long a ban or mute lasts, in ms. */
export function IsModerationDuration(): PropertyDecorator {
  return applyDecorators(IsInt(), Min(1), Max(MAX_MODERATION_DURATION_MS));
}

/** Why, as the user is told; optional. */
export function IsModerationReason(): PropertyDecorator {
  return applyDecorators(IsOptional(), IsString(), MaxLength(MAX_REASON_FIELD_LENGTH));
}
