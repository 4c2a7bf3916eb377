import { validateWithClassValidator } from './class-validator-details.js';
import { compileDtoValidator, type DtoClass, type ValidateDto } from './compile-dto-validator.js';

/** How one DTO class is validated, settled on its first use. */
export interface DtoValidator {
  /** Validates an instance in place (unknown fields stripped): null when valid, else the details. */
  validate: ValidateDto;
  /** Why class-validator runs this class instead of compiled code; null when compiled. */
  fallback: string | null;
}

const validators = new WeakMap<DtoClass, DtoValidator>();

/** The validator of a DTO class: compiled on its first use, or class-validator's when it cannot be. */
export function validatorFor(metatype: DtoClass): DtoValidator {
  let validator = validators.get(metatype);
  if (!validator) {
    const compilation = compileDtoValidator(metatype, validateWithClassValidator);
    validator =
      'validate' in compilation
        ? { validate: compilation.validate, fallback: null }
        : { validate: validateWithClassValidator, fallback: compilation.fallback };
    validators.set(metatype, validator);
  }
  return validator;
}
