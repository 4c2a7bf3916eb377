/** A JSON Schema (draft-07), as far as the contract's machine-readable document uses it. */
export interface JsonSchema {
  title?: string;
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  items?: JsonSchema;
  enum?: readonly (string | number | boolean)[];
  const?: string | number | boolean;
  oneOf?: readonly JsonSchema[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
}

/** A property that a payload type declares optional (`name?:`), marked so its schema leaves it out of `required`. */
export class OptionalProperty {
  constructor(readonly schema: JsonSchema) {}
}

/** Marks an optional property in `objectSchema`. */
export function optional(schema: JsonSchema): OptionalProperty {
  return new OptionalProperty(schema);
}

/** Keys of T that can carry a value (a `with?: never` of a union branch cannot). */
type ValueKeys<T> = {
  [K in keyof T]-?: [Exclude<T[K], undefined>] extends [never] ? never : K;
}[keyof T];

/**
 * The schema of each property of T, with each optional one wrapped in `optional()`: the compiler then
 * requires a schema for every property of the TypeScript type, none more, and `optional()` on exactly the
 * optional ones, so the schema cannot drift from the type it documents.
 */
export type PropertySchemas<T> = {
  [K in ValueKeys<T>]-?: object extends Pick<T, K> ? OptionalProperty : JsonSchema;
};

/** The object schema of a payload type T, its `required` list derived from which properties are optional. */
export function objectSchema<T>(
  properties: PropertySchemas<T>,
  annotations: Pick<JsonSchema, 'title' | 'description'> = {},
): JsonSchema {
  const schemas: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, value] of Object.entries(properties) as [string, unknown][]) {
    if (value instanceof OptionalProperty) {
      schemas[name] = value.schema;
    } else {
      schemas[name] = value as JsonSchema;
      required.push(name);
    }
  }
  return { ...annotations, type: 'object', properties: schemas, required };
}
