import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Room names the contract allows. */
export const ROOM_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Fields every request may carry; every DTO extends it. */
export class ChatRequestDto {
  /** Echoed on every reply to this request. */
  @IsOptional() @IsString() @MaxLength(64) ref?: string;
}
