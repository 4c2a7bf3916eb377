import { plainToInstance, TransformationType } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import { defaultMetadataStorage } from '../fast-path/nest-internals.js';

type DtoClass = new () => object;

/**
 * The DTO instance for an event's `data`: class-transformer's `plainToInstance` when the class declares
 * anything for it to do (`@Type`, `@Transform`, `@Expose`, `@Exclude`), else a copy of the fields it has
 * validation rules for into an instance, which costs a fraction of it (the whitelist would strip any other
 * field afterwards anyway).
 */
export function toDtoInstance(metatype: DtoClass, plain: object): object {
  const plan = planFor(metatype);
  if (plan.transforms) return plainToInstance(metatype, plain);
  const dto = new metatype() as Record<string, unknown>;
  // Only the fields the class has rules for (whitelisting would strip the rest): never `__proto__`,
  // `constructor` or a getter-only accessor, whatever the client sends.
  for (const field of plan.fields) {
    if (Object.hasOwn(plain, field)) dto[field] = (plain as Record<string, unknown>)[field];
  }
  return dto;
}

/** How a DTO class is instantiated, settled once per class. */
interface InstancePlan {
  /** Whether class-transformer has anything to do for it. */
  transforms: boolean;
  /** Validated fields that are plain data properties. */
  fields: string[];
}

const plans = new WeakMap<DtoClass, InstancePlan>();

function planFor(metatype: DtoClass): InstancePlan {
  let plan = plans.get(metatype);
  if (!plan) {
    const validated = [
      ...new Set(
        getMetadataStorage()
          .getTargetValidationMetadatas(metatype, '', true, false)
          .map((metadata) => metadata.propertyName),
      ),
    ];
    plan = {
      transforms: declaresTransforms(metatype, validated),
      fields: validated.filter(
        (field) => field !== '__proto__' && field !== 'constructor' && !isAccessor(metatype, field),
      ),
    };
    plans.set(metatype, plan);
  }
  return plan;
}

function isAccessor(metatype: DtoClass, field: string): boolean {
  for (let proto: object | null = metatype.prototype; proto; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, field);
    if (descriptor) return descriptor.get !== undefined || descriptor.set !== undefined;
  }
  return false;
}

/** Whether class-transformer has metadata for the class or any field it validates. */
function declaresTransforms(metatype: DtoClass, validated: readonly string[]): boolean {
  const storage = defaultMetadataStorage;
  if (
    storage.getStrategy(metatype) !== 'none' ||
    storage.getExposedMetadatas(metatype).length > 0 ||
    storage.getExcludedMetadatas(metatype).length > 0
  )
    return true;
  for (const property of validated) {
    if (
      storage.findTypeMetadata(metatype, property) !== undefined ||
      storage.findTransformMetadatas(metatype, property, TransformationType.PLAIN_TO_CLASS).length >
        0
    )
      return true;
  }
  return false;
}
