import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/** The body of a disconnect: the reason the user's clients see in the 4003 close. */
export class DisconnectDto {
  @ApiPropertyOptional({
    example: 'account closed',
    description: 'at most 123 bytes of UTF-8; default "disconnected by the server"',
  })
  @IsOptional()
  @IsString()
  reason?: string;
}
