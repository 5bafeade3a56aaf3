/**
 * The Kubernetes CEL library functions the rules use that the synth's CEL
 * library (@marcbachmann/cel-js) lacks, registered on its environment with
 * the signatures Kubernetes gives them
 * (k8s.io/apiserver/pkg/cel/library/quantity.go). The strings extension
 * functions the rules use (`split`, `join`, `lowerAscii`, `indexOf`…) are
 * built into @marcbachmann/cel-js already.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { isQuantity, quantity, Quantity } from './quantity.js';

/** Kubernetes CEL functions implemented here, by library: what `PolicyRule.libraries` may name. */
export const IMPLEMENTED = {
  quantity: ['quantity(string)', 'isQuantity(string)', 'Quantity.compareTo(Quantity)', 'Quantity.isGreaterThan(Quantity)', 'Quantity.isLessThan(Quantity)', 'Quantity.sign()'],
  strings: ['string.split(string)', 'list<string>.join(string)', 'string.lowerAscii()', 'string.indexOf(string)'],
} as const;

/** Registers the quantity library on `env` (returns it, for chaining). */
export function registerKubernetesLibrary(env: Environment): Environment {
  return env
    .registerType('Quantity', Quantity)
    .registerFunction('quantity(string): Quantity', (s: string) => quantity(s))
    .registerFunction('isQuantity(string): bool', (s: string) => isQuantity(s))
    .registerFunction('Quantity.compareTo(Quantity): int', (a: Quantity, b: Quantity) => BigInt(a.compareTo(b)))
    .registerFunction('Quantity.isGreaterThan(Quantity): bool', (a: Quantity, b: Quantity) => a.compareTo(b) > 0)
    .registerFunction('Quantity.isLessThan(Quantity): bool', (a: Quantity, b: Quantity) => a.compareTo(b) < 0)
    .registerFunction('Quantity.sign(): int', (a: Quantity) => BigInt(a.sign()));
}
