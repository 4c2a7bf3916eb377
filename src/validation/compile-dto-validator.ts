import { getMetadataStorage, ValidationTypes, type MetadataStorage } from 'class-validator';
import { COMPILED_CONSTRAINTS } from './compiled-constraints.js';
import { constraintMessage, type MessageOption, type MessageSource } from './constraint-message.js';
import type { FieldError } from './field-error.js';
import { PROBE_VALUES } from './probe-values.js';

/** A DTO class: what a handler parameter declares. */
export type DtoClass = new () => object;

/** Validates a DTO instance in place (stripping unknown fields): null when valid, else the details. */
export type ValidateDto = (dto: object) => FieldError[] | null;

/** The result of compiling a class: its validator, or why class-validator has to run it. */
export type Compilation = { validate: ValidateDto } | { fallback: string };

type Metadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
type Constraint = ReturnType<MetadataStorage['getTargetValidatorConstraints']>[number];

/** A constraint of one property, as the generated code checks it. */
interface Check {
  metadata: Metadata;
  constraint: Constraint;
  /** The expression's source, over the variable `x`. */
  test: (x: string) => string;
}

/** Thrown while planning a class that has something the compiler does not write. */
class NotCompiled extends Error {}

function unsupported(reason: string): never {
  throw new NotCompiled(reason);
}

/**
 * Compiles a DTO class's class-validator metadata into one straight-line function with the semantics of
 * `validateWithClassValidator` (whitelist, unknown class refused, the same details in the same order), or
 * says why it cannot: any metadata other than the constraints of `COMPILED_CONSTRAINTS`, `@IsOptional`,
 * `@IsDefined` and `@Allow` (nested, promise or conditional validation, custom or async constraints,
 * per-constraint `validateIf`), two constraints of one name on a field, a field named after an
 * `Object.prototype` member, a class without rules, or a constraint that answers a probe value otherwise
 * than its compiled test. `fallback` is class-validator itself, run for an instance whose `constructor`
 * is not the class (the only way its class-name token could differ).
 */
export function compileDtoValidator(metatype: DtoClass, fallback: ValidateDto): Compilation {
  try {
    return { validate: generate(metatype, fallback) };
  } catch (error) {
    if (error instanceof NotCompiled) return { fallback: error.message };
    throw error;
  }
}

function generate(metatype: DtoClass, fallback: ValidateDto): ValidateDto {
  const storage = getMetadataStorage();
  // The very call class-validator's executor makes for `validateSync(dto, options)` without groups.
  const metadatas = storage.getTargetValidationMetadatas(
    metatype,
    undefined as unknown as string,
    false,
    false,
    undefined,
  );
  if (metadatas.length === 0) unsupported('no validation metadata');
  for (const metadata of metadatas) {
    const name: unknown = metadata.propertyName;
    if (typeof name !== 'string' || name in Object.prototype)
      unsupported(`field ${String(name)} shadows Object.prototype`);
  }
  const grouped = storage.groupByPropertyName(metadatas);

  const constants: unknown[] = [];
  const constant = (value: unknown): string => {
    const index = constants.indexOf(value);
    if (index !== -1 && typeof value !== 'number') return `k${index}`;
    constants.push(value);
    return `k${constants.length - 1}`;
  };
  const body: string[] = [];
  const probes: Array<{ test: string; check: Check }> = [];
  const optionals: Metadata[] = [];

  body.push(
    `if (o.constructor !== ${constant(metatype)}) return ${constant(fallback)}(o);`,
    'const keys = Object.keys(o);',
    'for (let i = 0; i < keys.length; i++) {',
    `  const rules = ${constant(grouped)}[keys[i]];`,
    '  if (!rules || rules.length === 0) delete o[keys[i]];',
    '}',
    'let details = null, v, e, a;',
  );
  for (const property of Object.keys(grouped)) {
    const checks: Check[] = [];
    const defined: Check[] = [];
    let optional = false;
    for (const metadata of grouped[property]) {
      if (metadata.type === ValidationTypes.WHITELIST) continue;
      if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        if (metadata.name !== 'isOptional') unsupported(`@ValidateIf on ${property}`);
        optionals.push(metadata);
        optional = true;
        continue;
      }
      if (
        metadata.type !== ValidationTypes.CUSTOM_VALIDATION &&
        metadata.type !== ValidationTypes.IS_DEFINED
      )
        unsupported(`${metadata.type} on ${property}`);
      const check = checkOf(metadata, property, constant);
      (metadata.type === ValidationTypes.IS_DEFINED ? defined : checks).push(check);
    }
    const ordered = [...defined, ...checks];
    const keys = ordered.map(({ constraint, metadata }) => constraint.name || metadata.type);
    if (new Set(keys).size !== keys.length)
      unsupported(`two constraints of one name on ${property}`);

    const field = constant(property);
    body.push(`v = o[${field}];`);
    if (optional) body.push('if (v !== null && v !== undefined) {');
    body.push('e = null;');
    for (const check of ordered) {
      const test = `t${probes.length}`;
      probes.push({ test, check });
      const fails = check.metadata.each
        ? `((a = ${constant(eachItems)}(v)) === null ? !${test}(v) : !a.every(${test}))`
        : `!${check.test('v')}`;
      body.push(
        `if (${fails}) (e === null ? (e = []) : e).push(${message(metatype, check, constant)});`,
      );
    }
    body.push(
      `if (e !== null) (details === null ? (details = []) : details).push({ field: ${field}, errors: e });`,
    );
    if (optional) body.push('}');
  }
  body.push('return details;');

  const tests = probes.map(({ test, check }) => `const ${test} = (x) => ${check.test('x')};`);
  const source = [
    '"use strict";',
    ...tests,
    `return { validate(o) {\n${body.join('\n')}\n}, tests: [${probes.map(({ test }) => test).join(', ')}] };`,
  ].join('\n');
  const names = constants.map((_, index) => `k${index}`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the source holds only names: every value arrives as an argument
  const factory = new Function(...names, source) as (...values: unknown[]) => {
    validate: ValidateDto;
    tests: Array<(value: unknown) => boolean>;
  };
  const { validate, tests: compiledTests } = factory(...constants);
  probe(
    metatype,
    probes.map(({ check }) => check),
    compiledTests,
    optionals,
  );
  return validate;
}

function checkOf(
  metadata: Metadata,
  property: string,
  constant: (value: unknown) => string,
): Check {
  if (metadata.validateIf) unsupported(`validateIf option on ${property}`);
  const constraints = getMetadataStorage().getTargetValidatorConstraints(metadata.constraintCls);
  if (constraints.length !== 1) unsupported(`no single constraint class on ${property}`);
  const [constraint] = constraints;
  const compiled = constraint.async ? undefined : COMPILED_CONSTRAINTS[constraint.name];
  // class-validator's decorators register an anonymous `CustomConstraint` wrapping their function.
  if (
    !compiled ||
    metadata.name !== constraint.name ||
    constraint.target.name !== 'CustomConstraint' ||
    (metadata.type === ValidationTypes.IS_DEFINED) !== (constraint.name === 'isDefined')
  )
    unsupported(`constraint ${constraint.name || metadata.type} on ${property}`);
  const args: readonly unknown[] = Array.isArray(metadata.constraints) ? metadata.constraints : [];
  if (compiled.expression(args, 'x', () => 'k') === null)
    unsupported(`${constraint.name} arguments on ${property}`);
  return {
    metadata,
    constraint,
    test: (x) => compiled.expression(args, x, constant) as string,
  };
}

/** The message expression: a constant when it cannot depend on the value, else a call on failure. */
function message(metatype: DtoClass, check: Check, constant: (value: unknown) => string): string {
  const { metadata, constraint } = check;
  const source = constraint.instance as MessageSource;
  const messageOf = (object: object, value: unknown): string =>
    constraintMessage(metadata.message as MessageOption, source, {
      targetName: (object.constructor as { name?: string } | undefined)?.name as string,
      property: metadata.propertyName,
      object,
      value,
      constraints: metadata.constraints,
    });
  const readsValue =
    typeof metadata.message === 'function' ||
    (!metadata.message && COMPILED_CONSTRAINTS[constraint.name].messageReadsValue === true);
  if (!readsValue) {
    const probe = new metatype();
    const first = messageOf(probe, 'a');
    if (first === messageOf(probe, 'b') && first === messageOf(probe, 1)) return constant(first);
  }
  return `${constant(messageOf)}(o, v)`;
}

/** class-validator's `each`: the items of an array, a set or a map's values; null for anything else. */
function eachItems(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return Array.from(value);
  if (value instanceof Map) return Array.from(value.values());
  return null;
}

/** Refuses to compile when a constraint or an `@IsOptional` answers a probe otherwise than compiled. */
function probe(
  metatype: DtoClass,
  checks: readonly Check[],
  tests: ReadonlyArray<(value: unknown) => boolean>,
  optionals: readonly Metadata[],
): void {
  checks.forEach(({ metadata, constraint }, index) => {
    const instance = constraint.instance as { validate: (value: unknown, args: object) => unknown };
    for (const value of PROBE_VALUES) {
      const args = {
        targetName: metatype.name,
        property: metadata.propertyName,
        object: {},
        value,
        constraints: metadata.constraints,
      };
      if (Boolean(instance.validate(value, args)) !== tests[index](value))
        unsupported(
          `${constraint.name} on ${metadata.propertyName} disagrees with its compiled test`,
        );
    }
  });
  for (const metadata of optionals) {
    const property = metadata.propertyName;
    const condition = metadata.constraints[0] as (object: object, value: unknown) => unknown;
    for (const value of PROBE_VALUES) {
      if (
        Boolean(condition({ [property]: value }, value)) !== (value !== null && value !== undefined)
      )
        unsupported(`@IsOptional on ${property} disagrees with its compiled test`);
    }
  }
}
