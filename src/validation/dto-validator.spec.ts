import { Type } from 'class-transformer';
import {
  IsInt,
  IsString,
  Matches,
  registerDecorator,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { validateWithClassValidator } from './class-validator-details.js';
import { validatorFor } from './dto-validator.js';

@ValidatorConstraint({ name: 'isEven' })
class IsEven implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'number' && value % 2 === 0;
  }
  defaultMessage(): string {
    return '$property must be even';
  }
}

class CustomConstraintDto {
  @IsInt() @Validate(IsEven) count!: number;
}

/** A user's decorator that takes a built-in's name with other semantics. */
function IsStringOrNumber(): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'isString',
      target: object.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => typeof value === 'string' || typeof value === 'number',
        defaultMessage: () => '$property must be a string or a number',
      },
    });
}

class ImpostorDto {
  @IsStringOrNumber() name!: string;
}

class PointDto {
  @IsInt() x!: number;
}

class NestedDto {
  @ValidateNested() @Type(() => PointDto) origin!: PointDto;
}

class ConditionalDto {
  @ValidateIf((dto: { kind?: string }) => dto.kind === 'named') @IsString() name?: string;
  @IsString() kind!: string;
}

@ValidatorConstraint({ name: 'isTaken', async: true })
class IsTaken implements ValidatorConstraintInterface {
  validate(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

class AsyncDto {
  @IsString() @Validate(IsTaken) name!: string;
}

class TwoPatternsDto {
  @Matches(/^a/) @Matches(/z$/) word!: string;
}

class NoRulesDto {
  name?: string;
}

const HOSTILE_NAME = '"]); throw new Error("injected"); (["';

class HostileNamesDto {
  @IsString({ message: `${HOSTILE_NAME} $value` }) [HOSTILE_NAME]!: string;
}

function instance<T extends object>(metatype: new () => T, fields: object): T {
  return Object.assign(new metatype(), fields);
}

describe('validatorFor', () => {
  it('falls back to class-validator for a custom constraint, and still validates', () => {
    const { fallback, validate } = validatorFor(CustomConstraintDto);

    expect(fallback).toBe('constraint isEven on count');
    expect(validate(instance(CustomConstraintDto, { count: 4 }))).toBeNull();
    expect(validate(instance(CustomConstraintDto, { count: 3 }))).toEqual([
      { field: 'count', errors: ['count must be even'] },
    ]);
  });

  it('falls back for a user decorator registered under a built-in name, keeping its own test', () => {
    const { fallback, validate } = validatorFor(ImpostorDto);

    expect(fallback).toBe('isString on name disagrees with its compiled test');
    expect(validate(instance(ImpostorDto, { name: 7 }))).toBeNull();
  });

  it('falls back for nested validation, keeping the nested path in details', () => {
    const { fallback, validate } = validatorFor(NestedDto);

    expect(fallback).toBe('nestedValidation on origin');
    const dto = instance(NestedDto, { origin: instance(PointDto, { x: 'one' }) });
    expect(validate(dto)).toEqual([{ field: 'origin.x', errors: ['x must be an integer number'] }]);
  });

  it('falls back for @ValidateIf', () => {
    const { fallback, validate } = validatorFor(ConditionalDto);

    expect(fallback).toBe('@ValidateIf on name');
    expect(validate(instance(ConditionalDto, { kind: 'anonymous' }))).toBeNull();
    expect(validate(instance(ConditionalDto, { kind: 'named' }))).toEqual([
      { field: 'name', errors: ['name must be a string'] },
    ]);
  });

  it('falls back for an async constraint, which validateSync skips', () => {
    const { fallback, validate } = validatorFor(AsyncDto);

    expect(fallback).toBe('constraint isTaken on name');
    expect(validate(instance(AsyncDto, { name: 'ada' }))).toBeNull();
  });

  it('falls back for two constraints of one name on a field, whose messages class-validator merges', () => {
    const { fallback, validate } = validatorFor(TwoPatternsDto);
    const dto = instance(TwoPatternsDto, { word: 'b' });

    expect(fallback).toBe('two constraints of one name on word');
    expect(validate(dto)).toEqual(
      validateWithClassValidator(instance(TwoPatternsDto, { word: 'b' })),
    );
  });

  it('falls back for a class without rules, which class-validator refuses as an unknown value', () => {
    const { fallback, validate } = validatorFor(NoRulesDto);

    expect(fallback).toBe('no validation metadata');
    expect(validate(new NoRulesDto())).toEqual([
      { field: 'undefined', errors: ['an unknown value was passed to the validate function'] },
    ]);
  });

  it('settles each class once', () => {
    expect(validatorFor(CustomConstraintDto)).toBe(validatorFor(CustomConstraintDto));
  });

  it('never writes a field name, a message or a value into the generated source', () => {
    const { fallback, validate } = validatorFor(HostileNamesDto);
    const dto = instance(HostileNamesDto, { [HOSTILE_NAME]: 1 });

    expect(fallback).toBeNull();
    expect(validate.toString()).not.toContain('injected');
    expect(validate(dto)).toEqual([{ field: HOSTILE_NAME, errors: [`${HOSTILE_NAME} 1`] }]);
  });
});
