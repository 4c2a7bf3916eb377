/// <reference types="vite/client" />
import fc from 'fast-check';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  ArrayNotEmpty,
  getMetadataStorage,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEmpty,
  IsEnum,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNotIn,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { validateWithClassValidator } from './class-validator-details.js';
import type { DtoClass } from './compile-dto-validator.js';
import { validatorFor } from './dto-validator.js';

enum Color {
  Red = 'red',
  Green = 'green',
}

enum Level {
  Low,
  High,
}

class BaseRulesDto {
  @IsString() @MaxLength(1) code!: string;
  @IsOptional() @IsString({ groups: ['admin'] }) @MaxLength(8, { always: true }) label?: string;
}

/** Every constraint and option the compiler writes, inheritance and an overridden field included. */
class EveryRuleDto extends BaseRulesDto {
  @IsDefined() @IsString() @Length(2, 5) declare code: string;
  @IsOptional() @IsNumber() @Min(-1) @Max(10) amount?: number;
  @IsOptional() @IsNumber({ allowNaN: true, allowInfinity: true }) loose?: number;
  @IsOptional() @IsNumber({ maxDecimalPlaces: 1 }) tenths?: number;
  @IsOptional() @IsInt({ message: 'whole numbers only' }) count?: number;
  @IsOptional() @IsBoolean() flag?: boolean;
  @IsNotEmpty({ message: '$property of $target got $value' }) note!: unknown;
  @IsOptional() @IsEmpty() blank?: unknown;
  @IsOptional()
  @MinLength(2)
  @MaxLength(3, { message: (args) => `${args.property} is too long for ${String(args.value)}` })
  short?: string;
  @IsOptional() @Matches(/^[a-z]+$/) lower?: string;
  @IsOptional() @Matches('^ab', 'i') prefix?: string;
  @IsOptional() @Matches(/b/g) global?: string;
  @IsOptional() @IsIn(['a', 1, Number.NaN, -0]) pick?: unknown;
  @IsOptional() @IsNotIn(['x', 0]) avoid?: unknown;
  @IsOptional() @IsEnum(Color) color?: Color;
  @IsOptional() @IsEnum(Level) level?: Level;
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMinSize(2)
  @ArrayMaxSize(3)
  @IsString({ each: true })
  @MaxLength(2, { each: true })
  tags?: string[];
  @IsOptional()
  @IsInt({ each: true })
  @Min(0, { each: true, message: '$property: $constraint1+' })
  scores?: number[];
  @IsOptional() @IsUUID('4') id?: string;
  @IsDefined({ each: true }) @IsOptional() present?: unknown;
  @Allow() anything?: unknown;
}

/** Every built-in DTO, wherever its file lives: every class with validation rules in a `*.dto.ts`. */
const builtIns = Object.values(
  import.meta.glob<Record<string, unknown>>('/src/**/*.dto.ts', { eager: true }),
)
  .flatMap((module) => Object.values(module))
  .filter(
    (value): value is DtoClass =>
      typeof value === 'function' &&
      getMetadataStorage().getTargetValidationMetadatas(value, '', false, false).length > 0,
  );

const RUNS = 1500;

const text = fc.string({
  unit: fc.constantFrom(
    'a',
    'b',
    'Z',
    '0',
    '_',
    ':',
    ' ',
    '\n',
    '\uD800',
    '\uDC00',
    '\uFE0F',
    '😀',
    'é',
    '$',
  ),
  maxLength: 12,
});
const plausible = fc.constantFrom(
  'lobby',
  'ops:1',
  'hi',
  'ab',
  'abc',
  'r1',
  'red',
  'a',
  '550e8400-e29b-41d4-a716-446655440000',
  '42',
  '-0',
  '1e21',
  'r'.repeat(64),
  'r'.repeat(65),
  'r'.repeat(128),
  'r'.repeat(129),
  '😀'.repeat(33),
  '\uFE0F'.repeat(65),
);
const hostile = fc.constantFrom<unknown>(
  undefined,
  null,
  '',
  '   ',
  Number.NaN,
  -0,
  0,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e21,
  1e-7,
  0.5,
  true,
  false,
  {},
  { length: 2 },
  'x'.repeat(100_000),
  '😀'.repeat(40_000),
  '\uD800'.repeat(70),
  `${' '.repeat(70_000)}a`,
  new Set(['a', 'b']),
  new Map([['k', 'ab']]),
  Object.create(null) as unknown,
);
const scalar = fc.oneof(
  { arbitrary: plausible, weight: 12 },
  { arbitrary: text, weight: 3 },
  { arbitrary: hostile, weight: 3 },
  // Often enough that a DTO with two bounded numbers (MuteRequestDto, SlowModeRequestDto) is accepted dozens of times.
  { arbitrary: fc.integer({ min: -3, max: 120 }), weight: 6 },
  { arbitrary: fc.double(), weight: 1 },
);
const value = fc.oneof(
  { arbitrary: scalar, weight: 8 },
  { arbitrary: fc.array(scalar, { maxLength: 4 }), weight: 2 },
  { arbitrary: fc.dictionary(fc.constantFrom('room', 'x', '__proto__'), scalar), weight: 1 },
);

/** Inputs with the class's fields (mostly), and unknown, prototype and numeric keys, as own properties. */
function inputsFor(metatype: DtoClass): fc.Arbitrary<Array<[string, unknown]>> {
  const fields = [
    ...new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(metatype, '', false, false)
        .map(({ propertyName }) => propertyName),
    ),
  ];
  const stray = fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'admin',
    '0',
  );
  const fieldEntries = fc.tuple(
    ...fields.map((field) => fc.option(fc.tuple(fc.constant(field), value), { freq: 4 })),
  );
  const strayEntries = fc.array(fc.tuple(stray, value), { maxLength: 2 });
  return fc
    .tuple(fieldEntries, fc.oneof({ arbitrary: fc.constant([]), weight: 4 }, strayEntries))
    .map(([known, extra]) => [
      ...known.filter((entry): entry is [string, unknown] => entry !== null),
      ...extra,
    ]);
}

/** A DTO instance holding the entries as own data properties, as the pipe's instance builders may. */
function instanceOf(metatype: DtoClass, entries: ReadonlyArray<[string, unknown]>): object {
  const dto = new metatype();
  for (const [key, entry] of entries)
    Object.defineProperty(dto, key, {
      value: entry,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return dto;
}

type Outcome = { details: unknown; kept: Array<[string, unknown]> } | { threw: string };

function outcomeOf(validate: (dto: object) => unknown, dto: object): Outcome {
  try {
    const details = validate(dto);
    return {
      details,
      kept: Object.keys(dto).map((key) => [key, (dto as Record<string, unknown>)[key]]),
    };
  } catch (error) {
    return { threw: (error as Error).constructor.name };
  }
}

/** Fewest inputs of each outcome, accepted and refused, a DTO's check must have compared. */
const MIN_EACH = RUNS / 200;

/**
 * Runs class-validator and the compiled validator on twin instances and counts what was accepted. A DTO
 * whose random inputs are rarely valid (several bounded fields) gets up to `batches - 1` more batches of
 * RUNS, so that both outcomes are compared at least MIN_EACH times however the draw falls.
 */
function agreeOn(metatype: DtoClass, batches = 3): { accepted: number; refused: number } {
  const tally = { accepted: 0, refused: 0 };
  const { validate } = validatorFor(metatype);
  for (let batch = 0; batch < batches; batch += 1) {
    if (batch > 0 && tally.accepted > MIN_EACH && tally.refused > MIN_EACH) break;
    fc.assert(
      fc.property(inputsFor(metatype), (entries) => {
        const expected = outcomeOf(validateWithClassValidator, instanceOf(metatype, entries));
        const actual = outcomeOf(validate, instanceOf(metatype, entries));
        expect(actual).toStrictEqual(expected);
        if ('details' in expected) tally[expected.details === null ? 'accepted' : 'refused']++;
      }),
      { numRuns: RUNS },
    );
  }
  return tally;
}

// Thousands of inputs a DTO: on a 2-core machine running other spec files at once, more than the default 5 s.
describe('compiled DTO validation against class-validator', { timeout: 30_000 }, () => {
  it('finds the built-in DTOs and compiles every one of them', () => {
    expect(builtIns.length).toBeGreaterThanOrEqual(8);
    for (const metatype of builtIns)
      expect([metatype.name, validatorFor(metatype).fallback]).toEqual([metatype.name, null]);
  });

  it('compiles the DTO that uses every compiled constraint', () => {
    expect(validatorFor(EveryRuleDto).fallback).toBeNull();
  });

  it.each(builtIns.map((metatype) => [metatype.name, metatype] as const))(
    'agrees on %s: accepted or refused, the same details, the same fields kept',
    (_, metatype) => {
      const { accepted, refused } = agreeOn(metatype);

      expect(accepted).toBeGreaterThan(MIN_EACH);
      expect(refused).toBeGreaterThan(MIN_EACH);
    },
  );

  it('agrees on the DTO that uses every compiled constraint', () => {
    // One batch: what this DTO must show is refusals, which most of its random inputs are.
    const { refused } = agreeOn(EveryRuleDto, 1);

    expect(refused).toBeGreaterThan(RUNS / 2);
  });

  it('agrees on hand-picked inputs of the DTO that uses every compiled constraint', () => {
    const valid: Array<[string, unknown]> = [
      ['code', 'abc'],
      ['note', 'n'],
      ['tags', ['a', 'b']],
      ['scores', new Set([0, 3])],
      ['id', '550e8400-e29b-41d4-a716-446655440000'],
      ['pick', 0],
      ['color', 'red'],
      ['level', 1],
      ['prefix', 'ABc'],
      ['global', 'abc'],
      ['loose', Number.NaN],
      ['tenths', 1.5],
    ];
    const { validate } = validatorFor(EveryRuleDto);

    expect(validate(instanceOf(EveryRuleDto, valid))).toBeNull();
    for (const [field, bad] of [
      ['tags', ['abc', 1]],
      ['scores', [-1]],
      ['pick', Number.NaN],
      ['note', ''],
      ['short', 'abcd'],
      ['tenths', 1.25],
      ['present', [undefined]],
    ] as Array<[string, unknown]>) {
      const entries: Array<[string, unknown]> = [...valid, [field, bad]];
      const expected = validateWithClassValidator(instanceOf(EveryRuleDto, entries));
      expect(expected).not.toBeNull();
      expect(validate(instanceOf(EveryRuleDto, entries))).toStrictEqual(expected);
    }
  });
});
