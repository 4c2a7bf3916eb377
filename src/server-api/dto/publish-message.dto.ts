import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import type { User } from '../../protocol/chat.events.js';
import { UserView } from './views.dto.js';

/** The body of a room message or DM published through the API. */
export class PublishMessageDto {
  @ApiProperty({
    example: 'deploy 1.4.2 finished',
    description: 'trimmed; not blank, at most MAX_TEXT_LENGTH characters',
  })
  @IsString()
  text!: string;

  @ApiPropertyOptional({
    type: UserView,
    description:
      'the sender clients see: a server sender (id server: then 1-57 of A-Za-z0-9_.:@-, name 1-32 printable characters); default PUBLISHER_SENDER_ID and PUBLISHER_SENDER_NAME',
  })
  // Its shape is ChatPublisher's check (`from`, `from.id`, `from.name`), answered in the same problem;
  // nested validation has no compiled twin, and every *.dto.ts must compile (dto-validator.differential.spec.ts).
  @IsOptional()
  from?: User;
}
