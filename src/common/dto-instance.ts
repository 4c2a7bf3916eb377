import { plainToInstance, TransformationType } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { getMetadataStorage } from 'class-validator';

type DtoClass = new () => object;

const transforms = new WeakMap<DtoClass, boolean>();

/**
 * The DTO instance for an event's `data`: class-transformer's `plainToInstance` when the class declares
 * anything for it to do (`@Type`, `@Transform`, `@Expose`, `@Exclude`), else a plain copy of the fields
 * into an instance, which costs a fraction of it. Either way class-validator's whitelist strips what the
 * class does not declare afterwards.
 */
export function toDtoInstance(metatype: DtoClass, plain: object): object {
  if (transformsFor(metatype)) return plainToInstance(metatype, plain);
  const dto = new metatype() as Record<string, unknown>;
  for (const key of Object.keys(plain)) {
    // Never through the prototype setter, and never over the constructor class-validator looks rules up by.
    if (key !== '__proto__' && key !== 'constructor')
      dto[key] = (plain as Record<string, unknown>)[key];
  }
  return dto;
}

/** Whether class-transformer has metadata for the class or any property it validates; computed once per class. */
function transformsFor(metatype: DtoClass): boolean {
  let known = transforms.get(metatype);
  if (known === undefined) {
    known = declaresTransforms(metatype);
    transforms.set(metatype, known);
  }
  return known;
}

function declaresTransforms(metatype: DtoClass): boolean {
  const storage = defaultMetadataStorage;
  if (
    storage.getStrategy(metatype) !== 'none' ||
    storage.getExposedMetadatas(metatype).length > 0 ||
    storage.getExcludedMetadatas(metatype).length > 0
  )
    return true;
  const properties = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(metatype, '', true, false)
      .map((metadata) => metadata.propertyName),
  );
  for (const property of properties) {
    if (
      storage.findTypeMetadata(metatype, property) !== undefined ||
      storage.findTransformMetadatas(metatype, property, TransformationType.PLAIN_TO_CLASS).length >
        0
    )
      return true;
  }
  return false;
}
