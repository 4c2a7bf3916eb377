/** One invalid field, as listed in a `validation_failed` error's `details`. */
export interface FieldError {
  field: string;
  errors: string[];
}
