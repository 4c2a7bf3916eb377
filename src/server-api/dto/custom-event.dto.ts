import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString } from 'class-validator';

/** A custom server event, delivered as `{"event":event,"data":data}` and not stored. */
export class CustomEventDto {
  @ApiProperty({
    example: 'deploy.status',
    description:
      'matches ^[A-Za-z][A-Za-z0-9_.:-]{0,63}$ and is none of the protocol’s own event names',
  })
  @IsString()
  event!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { stage: 'canary' },
    description: 'a JSON object; the whole frame at most MAX_FRAME_BYTES',
  })
  // That it is a JSON object (not an array or null) is ChatPublisher's check, answered in the same shape;
  // @IsObject has no compiled twin, and every *.dto.ts must compile (dto-validator.differential.spec.ts).
  @IsDefined()
  data!: Record<string, unknown>;
}
