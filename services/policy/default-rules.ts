/**
 * The rules that ship with the service: a caller needs an authenticated
 * subject and the scope named after the route it calls (`chat`,
 * `embeddings`, `models`, `rag`).
 */
import type { PolicyRule } from './rules.js';

/** Shipped rules; a rules file adds to them unless it says `defaults: false`. */
export const DEFAULT_RULES: readonly PolicyRule[] = [
  {
    id: 'scope-for-route',
    effect: 'deny',
    expression: '!(route in scopes)',
    message: 'The token lacks the scope this route needs (chat, embeddings, models or rag, named after the route).',
  },
  {
    id: 'authenticated-subject',
    effect: 'allow',
    expression: 'subject != ""',
    message: 'Only authenticated subjects may call the API.',
  },
];
