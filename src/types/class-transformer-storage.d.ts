/** class-transformer's metadata registry: shipped as CommonJS beside its typings, not re-exported from its index. */
declare module 'class-transformer/cjs/storage.js' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage.js';
}
