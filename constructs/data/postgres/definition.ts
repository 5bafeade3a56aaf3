/** Registry entry of PostgreSQL (the CloudNativePG operator). */
import type { ComponentDefinition } from '../../kit/definition.js';
import { Postgres } from './postgres.js';

/** The operator that runs every PostgreSQL cluster of the platform. */
export const POSTGRES: ComponentDefinition = {
  id: 'postgres',
  layer: 'data',
  create: (scope, id, props) => new Postgres(scope, id, props),
};
