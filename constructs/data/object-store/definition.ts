/** Registry entry of the object store (MinIO), installed when the profile's object-store mode is `minio`. */
import type { ComponentDefinition } from '../../kit/definition.js';
import { installsMinio, ObjectStore } from './object-store.js';

/** The platform's S3-compatible object store. */
export const OBJECT_STORE_COMPONENT: ComponentDefinition = {
  id: 'object-store',
  layer: 'data',
  enabled: installsMinio,
  create: (scope, id, props) => new ObjectStore(scope, id, props),
};
