import { validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import type { FieldError } from './field-error.js';

/**
 * The options every DTO is validated with: fields without rules are stripped, a class without rules is
 * refused, and errors carry neither the object nor the value. Compiled validators reproduce exactly these.
 */
const DTO_VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
};

/** Validates a DTO instance with class-validator's `validateSync`: null when valid, else the details. */
export function validateWithClassValidator(dto: object): FieldError[] | null {
  const errors = validateSync(dto, DTO_VALIDATOR_OPTIONS);
  return errors.length > 0 ? flattenValidationErrors(errors) : null;
}

/** class-validator's error tree as `details`: one entry per failing field, nested fields by their path. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => [
    ...(error.constraints
      ? [{ field: prefix + error.property, errors: Object.values(error.constraints) }]
      : []),
    ...flattenValidationErrors(error.children ?? [], `${prefix}${error.property}.`),
  ]);
}
