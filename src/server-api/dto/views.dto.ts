import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A user as clients see them. */
export class UserView {
  @ApiProperty({ example: 'server:deploys' }) id!: string;
  @ApiProperty({ example: 'Deploys' }) name!: string;
}

/** A stored room message, as clients receive it in `message`. */
export class ChatMessageView {
  @ApiProperty({ example: 'k3x9-42' }) id!: string;
  @ApiProperty({ example: 'ops' }) room!: string;
  @ApiProperty({ type: UserView }) from!: UserView;
  @ApiProperty({ description: '"" once deleted' }) text!: string;
  @ApiProperty({ description: 'milliseconds since the epoch' }) ts!: number;
  @ApiPropertyOptional({ description: 'when it was last edited, if it was' }) editedAt?: number;
  @ApiPropertyOptional({ enum: [true] }) deleted?: true;
}

/** A stored direct message, as clients receive it in `dm`. */
export class DirectMessageView {
  @ApiProperty() id!: string;
  @ApiProperty({ type: UserView }) from!: UserView;
  @ApiProperty({ example: 'bob' }) to!: string;
  @ApiProperty() text!: string;
  @ApiProperty() ts!: number;
  @ApiPropertyOptional() editedAt?: number;
  @ApiPropertyOptional({ enum: [true] }) deleted?: true;
}

/** Who is in a room across nodes (an empty list above PRESENCE_MAX_MEMBERS), and how many. */
export class MembersView {
  @ApiProperty({ type: [UserView] }) members!: UserView[];
  @ApiProperty() count!: number;
}

/** What a room is now: how many are in it, and the id of its latest message (null when none is kept). */
export class RoomInfoView {
  @ApiProperty({ example: 'ops' }) room!: string;
  @ApiProperty({ description: 'users in the room across nodes' }) count!: number;
  @ApiProperty({ type: String, nullable: true }) latestMessageId!: string | null;
}

/** A page of a room's history, oldest first. */
export class RoomHistoryView {
  @ApiProperty({ type: [ChatMessageView] }) messages!: ChatMessageView[];
}

/** A page of a DM conversation, oldest first. */
export class DirectHistoryView {
  @ApiProperty({ type: [DirectMessageView] }) messages!: DirectMessageView[];
}

/** A field that failed validation, and why. */
export class FieldErrorView {
  @ApiProperty({ example: 'text' }) field!: string;
  @ApiProperty({ type: [String], example: ['text must be a string'] }) errors!: string[];
}

/** An RFC 9457 problem details body (`application/problem+json`). */
export class ProblemDetailsView {
  @ApiProperty({ example: 'about:blank' }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'validation failed' }) detail!: string;
  @ApiProperty({
    example: 'validation_failed',
    description:
      'a ChatErrorCode, or unauthorized, payload_too_large, length_required, unsupported_media_type',
  })
  code!: string;
  @ApiPropertyOptional({ type: [FieldErrorView] }) errors?: FieldErrorView[];
  @ApiPropertyOptional({ description: 'rate_limited: milliseconds until a retry may pass' })
  retryAfterMs?: number;
}

/** What a moderation call did, as the room is told in `moderation`. */
export class ModerationNoticeView {
  @ApiProperty({ enum: ['ban', 'mute', 'slowmode'] }) action!: string;
  @ApiPropertyOptional({ example: 'ops', description: 'absent for a ban from the service' })
  room?: string;
  @ApiPropertyOptional({ example: 'mallory', description: 'not for slowmode' }) userId?: string;
  @ApiPropertyOptional({ description: 'when it ends, ms since the epoch; absent: until lifted' })
  until?: number;
  @ApiPropertyOptional({ example: 'spam' }) reason?: string;
  @ApiPropertyOptional({ description: 'slowmode: seconds between two messages of a user (0: off)' })
  seconds?: number;
}

/** One ban or mute in force. */
export class ModerationRecordView {
  @ApiProperty({ example: 'mallory' }) userId!: string;
  @ApiPropertyOptional({ example: 'ops', description: 'absent for a ban from the service' })
  room?: string;
  @ApiPropertyOptional({ description: 'when it ends, ms since the epoch; absent: until lifted' })
  until?: number;
  @ApiPropertyOptional() reason?: string;
  @ApiProperty({
    example: 'server:api-moderation',
    description: 'who set it: a moderator’s user id, server:api-<key id>, or a host’s by',
  })
  by!: string;
  @ApiProperty({ description: 'when it was set, ms since the epoch' }) at!: number;
}

/** A room's slow mode (0: off) and the bans and mutes in force there. */
export class RoomModerationView {
  @ApiProperty({ example: 'ops' }) room!: string;
  @ApiProperty({ example: 0 }) slowModeSeconds!: number;
  @ApiProperty({ type: [ModerationRecordView] }) bans!: ModerationRecordView[];
  @ApiProperty({ type: [ModerationRecordView] }) mutes!: ModerationRecordView[];
}

/** A user's ban from the service, if any, and their bans and mutes in rooms. */
export class UserModerationView {
  @ApiProperty({ example: 'mallory' }) userId!: string;
  @ApiPropertyOptional({ type: ModerationRecordView }) serviceBan?: ModerationRecordView;
  @ApiProperty({ type: [ModerationRecordView] }) bans!: ModerationRecordView[];
  @ApiProperty({ type: [ModerationRecordView] }) mutes!: ModerationRecordView[];
}
