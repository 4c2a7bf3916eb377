import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Fields every request may carry; every DTO extends it. */
export class ChatRequestDto {
  /** Echoed on every reply to this request. */
  @IsOptional() @IsString() @MaxLength(64) ref?: string;
}
