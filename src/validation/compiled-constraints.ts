import { isNumber, isUUID, length, matches, maxLength, minLength } from 'class-validator';

/** Names a value as a parameter of the generated function, so that generated source holds no data. */
export type ConstantRef = (value: unknown) => string;

/**
 * A constraint the compiler writes inline: the JavaScript expression that is true when `x` (the name of
 * a variable) passes it, or null when these constraint arguments are not compiled.
 */
export type ConstraintExpression = (
  constraints: readonly unknown[],
  x: string,
  constant: ConstantRef,
) => string | null;

/** A compiled constraint: its expression, and whether its default message reads the value. */
export interface CompiledConstraint {
  expression: ConstraintExpression;
  messageReadsValue?: boolean;
}

const isArrayOf = (value: unknown): value is unknown[] => Array.isArray(value);

/** A plain, non-global, non-sticky RegExp: `test` is then exactly validator.js's `!!str.match(re)`. */
function statelessRegExp(pattern: unknown, modifiers: unknown): RegExp | null {
  let re: RegExp;
  if (Object.prototype.toString.call(pattern) === '[object RegExp]') re = pattern as RegExp;
  else if (typeof modifiers === 'string' || modifiers === undefined) {
    try {
      re = new RegExp(pattern as string, modifiers);
    } catch {
      return null;
    }
  } else return null;
  if (
    Object.getPrototypeOf(re) !== RegExp.prototype ||
    Object.getOwnPropertySymbols(re).length > 0 ||
    Object.hasOwn(re, 'exec') ||
    re.global ||
    re.sticky
  )
    return null;
  return re;
}

/**
 * Every class-validator constraint the compiler writes inline, by constraint name, each the same test
 * as class-validator's own function (`src/decorator/**` of class-validator 0.15); string lengths go to
 * class-validator's own function whenever the code-unit length alone cannot decide.
 */
export const COMPILED_CONSTRAINTS: Readonly<Record<string, CompiledConstraint>> = {
  isDefined: { expression: (_, x) => `(${x} !== undefined && ${x} !== null)` },
  isString: { expression: (_, x) => `(typeof ${x} === "string" || ${x} instanceof String)` },
  isBoolean: { expression: (_, x) => `(typeof ${x} === "boolean" || ${x} instanceof Boolean)` },
  isInt: { expression: (_, x) => `(typeof ${x} === "number" && Number.isInteger(${x}))` },
  isNumber: {
    expression: ([options], x, constant) => {
      const keys = options !== null && typeof options === 'object' ? Object.keys(options) : null;
      if (keys === null) return null;
      const { allowNaN, allowInfinity } = options as {
        allowNaN?: unknown;
        allowInfinity?: unknown;
      };
      if (keys.every((key) => key === 'allowNaN' || key === 'allowInfinity'))
        return (
          `(typeof ${x} === "number" && (Number.isFinite(${x}) || ` +
          `(${x} !== ${x} ? ${!!allowNaN} : ${!!allowInfinity})))`
        );
      return `${constant(isNumber)}(${x}, ${constant(options)})`;
    },
  },
  isNotEmpty: { expression: (_, x) => `(${x} !== "" && ${x} !== null && ${x} !== undefined)` },
  isEmpty: { expression: (_, x) => `(${x} === "" || ${x} === null || ${x} === undefined)` },
  min: {
    expression: ([bound], x, constant) =>
      typeof bound === 'number'
        ? `(typeof ${x} === "number" && ${x} >= ${constant(bound)})`
        : 'false',
  },
  max: {
    expression: ([bound], x, constant) =>
      typeof bound === 'number'
        ? `(typeof ${x} === "number" && ${x} <= ${constant(bound)})`
        : 'false',
  },
  // validator.js counts a surrogate pair or a presentation sequence as one character, so the length
  // in code units is an upper bound of it: enough to accept under a maximum, or refuse under a minimum.
  maxLength: {
    expression: ([bound], x, constant) =>
      typeof bound === 'number'
        ? `(typeof ${x} === "string" && (${x}.length <= ${constant(bound)} || ${constant(maxLength)}(${x}, ${constant(bound)})))`
        : `${constant(maxLength)}(${x}, ${constant(bound)})`,
  },
  minLength: {
    expression: ([bound], x, constant) =>
      typeof bound === 'number'
        ? `(typeof ${x} === "string" && ${x}.length >= ${constant(bound)} && ${constant(minLength)}(${x}, ${constant(bound)}))`
        : `${constant(minLength)}(${x}, ${constant(bound)})`,
  },
  isLength: {
    expression: ([lower, upper], x, constant) =>
      `${constant(length)}(${x}, ${constant(lower)}, ${constant(upper)})`,
    messageReadsValue: true,
  },
  matches: {
    expression: ([pattern, modifiers], x, constant) => {
      const re = statelessRegExp(pattern, modifiers);
      return re
        ? `(typeof ${x} === "string" && ${constant(re)}.test(${x}))`
        : `${constant(matches)}(${x}, ${constant(pattern)}, ${constant(modifiers)})`;
    },
  },
  isIn: {
    expression: ([values], x, constant) =>
      isArrayOf(values) ? `(${constant(values)}.indexOf(${x}) !== -1)` : 'false',
  },
  isNotIn: {
    expression: ([values], x, constant) =>
      isArrayOf(values) ? `(${constant(values)}.indexOf(${x}) === -1)` : 'true',
  },
  isEnum: {
    expression: ([entity], x, constant) => {
      if (entity === null || typeof entity !== 'object') return null;
      const values = Object.keys(entity).map((key) => (entity as Record<string, unknown>)[key]);
      return `${constant(values)}.includes(${x})`;
    },
  },
  isArray: { expression: (_, x) => `Array.isArray(${x})` },
  arrayNotEmpty: { expression: (_, x) => `(Array.isArray(${x}) && ${x}.length > 0)` },
  arrayMinSize: {
    expression: ([bound], x, constant) =>
      `(Array.isArray(${x}) && ${x}.length >= ${constant(bound)})`,
  },
  arrayMaxSize: {
    expression: ([bound], x, constant) =>
      `(Array.isArray(${x}) && ${x}.length <= ${constant(bound)})`,
  },
  isUuid: {
    expression: ([version], x, constant) => `${constant(isUUID)}(${x}, ${constant(version)})`,
  },
};
