import type { ValidationArguments } from 'class-validator';

/** A decorator's `message` option: a string, or a function of the failed value's arguments. */
export type MessageOption = string | ((args: ValidationArguments) => string) | undefined;

/** What a constraint may offer as its default message. */
export interface MessageSource {
  defaultMessage?: (args: ValidationArguments) => string;
}

/**
 * The message class-validator gives a failed constraint (its `createValidationError`): the `message`
 * option, else the constraint's default, then `$constraintN`, `$value`, `$property` and `$target`
 * replaced in the same order and with the same quirks (`replaceMessageSpecialTokens`, which class-validator
 * does not export).
 */
export function constraintMessage(
  message: MessageOption,
  source: MessageSource,
  args: ValidationArguments,
): string {
  let raw: MessageOption = message || '';
  if (!message && source.defaultMessage instanceof Function) raw = source.defaultMessage(args);
  return replaceTokens(raw, args);
}

function replaceTokens(message: MessageOption, args: ValidationArguments): string {
  let text: string | undefined;
  if (message instanceof Function) text = message(args);
  else if (typeof message === 'string') text = message;
  if (text && Array.isArray(args.constraints)) {
    args.constraints.forEach((constraint: unknown, index) => {
      text = text!.replace(
        new RegExp(`\\$constraint${index + 1}`, 'g'),
        constraintText(constraint),
      );
    });
  }
  const value: unknown = args.value;
  if (
    text &&
    value !== undefined &&
    value !== null &&
    ['string', 'boolean', 'number'].includes(typeof value)
  )
    text = text.replace(/\$value/g, value as string);
  if (text) text = text.replace(/\$property/g, args.property);
  if (text) text = text.replace(/\$target/g, args.targetName);
  return text as string;
}

function constraintText(constraint: unknown): string {
  if (Array.isArray(constraint)) return constraint.join(', ');
  if (typeof constraint === 'symbol') return `${constraint.description}`;
  return `${constraint as string}`;
}
