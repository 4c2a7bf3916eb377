import { Test } from '@nestjs/testing';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { HistoryRequestDto } from './dto/history-request.dto.js';
import { SendMessageDto } from './dto/send-message.dto.js';
import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { ChatException } from '../domain/chat.exception.js';
import { ChatValidationPipe, type FieldError } from './chat-validation.pipe.js';

class PointDto {
  @IsInt() @Min(0) x!: number;
}

class ShapeDto {
  @IsString() name!: string;
  @ValidateNested() @Type(() => PointDto) origin!: PointDto;
}

describe('ChatValidationPipe', () => {
  let sut: ChatValidationPipe;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({ providers: [ChatValidationPipe] }).compile();
    sut = moduleRef.get(ChatValidationPipe);
  });

  function validate(value: unknown, metatype: new () => object): Promise<unknown> {
    return Promise.resolve().then(() => sut.transform(value, { type: 'body', metatype }));
  }

  async function failureOf(value: unknown, metatype: new () => object): Promise<ChatException> {
    const error = await validate(value, metatype).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ChatException);
    return error as ChatException;
  }

  it('turns a valid payload into the DTO', async () => {
    const dto = await validate({ room: 'lobby', text: 'hi', ref: 'r1' }, SendMessageDto);

    expect(dto).toBeInstanceOf(SendMessageDto);
    expect(dto).toEqual({ room: 'lobby', text: 'hi', ref: 'r1' });
  });

  it('refuses a blank message text, naming the rule', async () => {
    const failure = await failureOf({ room: 'lobby', text: ' \n\t ' }, SendMessageDto);

    expect(failure.details).toEqual([
      { field: 'text', errors: ['text must not be empty after trimming'] },
    ]);
  });

  it('applies class-transformer to a DTO that declares transformations', async () => {
    class TrimmedDto {
      @Transform(({ value }: { value: unknown }) =>
        typeof value === 'string' ? value.trim() : value,
      )
      @IsString()
      name!: string;
    }

    const dto = await validate({ name: '  padded  ' }, TrimmedDto);

    expect(dto).toEqual({ name: 'padded' });
  });

  it('copies a DTO without transformations into an instance, never through __proto__ or constructor', async () => {
    const plain = JSON.parse(
      '{"room":"lobby","text":"hi","__proto__":{"polluted":true},"constructor":"x"}',
    ) as object;

    const dto = await validate(plain, SendMessageDto);

    expect(dto).toBeInstanceOf(SendMessageDto);
    expect(Object.getPrototypeOf(dto)).toBe(SendMessageDto.prototype);
    expect((dto as { polluted?: unknown }).polluted).toBeUndefined();
    expect(dto).toEqual({ room: 'lobby', text: 'hi' });
  });

  it('strips fields the DTO does not declare', async () => {
    const dto = await validate({ room: 'lobby', text: 'hi', admin: true }, SendMessageDto);

    expect(dto).not.toHaveProperty('admin');
  });

  it('fails with `validation_failed`', async () => {
    expect((await failureOf({}, SendMessageDto)).code).toBe(ChatErrorCode.ValidationFailed);
  });

  it('lists every invalid field in details, each with its reasons', async () => {
    const failure = await failureOf(
      { room: 'no spaces allowed', text: '   ', ref: 'r'.repeat(65) },
      SendMessageDto,
    );

    const details = failure.details as FieldError[];
    expect(details.map((detail) => detail.field).sort()).toEqual(['ref', 'room', 'text']);
    for (const detail of details) expect(detail.errors.length).toBeGreaterThan(0);
  });

  it('lists a missing field', async () => {
    const failure = await failureOf({ text: 'hi' }, SendMessageDto);

    expect(failure.details).toEqual([{ field: 'room', errors: expect.any(Array) }]);
  });

  it('names the bound a number broke', async () => {
    const failure = await failureOf({ room: 'lobby', limit: 500 }, HistoryRequestDto);

    expect(failure.details).toEqual([
      { field: 'limit', errors: ['limit must not be greater than 100'] },
    ]);
  });

  it('names a nested field by its path', async () => {
    const failure = await failureOf({ name: 'square', origin: { x: -1 } }, ShapeDto);

    expect(failure.details).toEqual([{ field: 'origin.x', errors: ['x must not be less than 0'] }]);
  });

  it('answers synchronously, so that an event needs no promise hop to be validated', () => {
    const dto = sut.transform(
      { room: 'lobby', text: 'hi' },
      { type: 'body', metatype: SendMessageDto },
    );

    expect(dto).toBeInstanceOf(SendMessageDto);
    expect(() =>
      sut.transform({ room: 'lobby' }, { type: 'body', metatype: SendMessageDto }),
    ).toThrow(ChatException);
  });

  it('passes custom parameters and non-DTO types through untouched', () => {
    const connection = { id: 'c1' };

    expect(sut.transform(connection, { type: 'custom', metatype: SendMessageDto })).toBe(
      connection,
    );
    expect(sut.transform('lobby', { type: 'body', metatype: String, data: 'room' })).toBe('lobby');
  });

  it('fails a DTO parameter that is not an object', async () => {
    const failure = await failureOf('hi', SendMessageDto);

    expect(failure.details).toEqual([{ field: 'data', errors: ['data must be an object'] }]);
  });

  it('never assigns to a getter the DTO declares, whatever the client sends', async () => {
    class PageDto {
      @IsInt() @Min(0) page!: number;
      get offset(): number {
        return this.page * 10;
      }
    }

    const dto = await validate({ page: 2, offset: 99 }, PageDto);

    expect(dto).toBeInstanceOf(PageDto);
    expect((dto as PageDto).offset).toBe(20);
  });

  it('does not echo the invalid values back', async () => {
    const failure = await failureOf({ room: '<script>', text: 'hi' }, SendMessageDto);

    expect(JSON.stringify(failure.details)).not.toContain('<script>');
  });
});
