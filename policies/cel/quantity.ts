/**
 * Kubernetes resource quantities (`500m`, `1Gi`, `2.5e3`) as exact
 * rationals, for the CEL quantity library (`quantity()`, `isQuantity()`,
 * `compareTo()`, `isGreaterThan()`, `isLessThan()`), with the grammar of
 * `k8s.io/apimachinery/pkg/api/resource`:
 *
 *   <quantity>  ::= <signedNumber><suffix>
 *   <suffix>    ::= <binarySI> | <decimalExponent> | <decimalSI>
 *   <binarySI>  ::= Ki | Mi | Gi | Ti | Pi | Ei
 *   <decimalSI> ::= n | u | m | "" | k | M | G | T | P | E
 *   <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>
 *
 * Values are compared exactly (no floating point), so `0.5` equals `500m`
 * and `1Gi` exceeds `1G`.
 */

/** A parsed quantity: `sign × digits × 10^pow10 × 2^pow2`, exact. */
export class Quantity {
  constructor(
    /** The text it was parsed from. */
    readonly text: string,
    /** Numerator of the value, sign included. */
    readonly numerator: bigint,
    /** Denominator of the value (a power of ten, at least 1). */
    readonly denominator: bigint,
  ) {}

  /** -1, 0 or 1 as this is less than, equal to or greater than `other` (CEL `compareTo`). */
  compareTo(other: Quantity): -1 | 0 | 1 {
    const a = this.numerator * other.denominator;
    const b = other.numerator * this.denominator;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** The sign of the value (CEL `sign`). */
  sign(): -1 | 0 | 1 {
    return this.numerator < 0n ? -1 : this.numerator > 0n ? 1 : 0;
  }

  toString(): string {
    return this.text;
  }
}

const BINARY: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?/;
/** Exponents beyond this are refused (Kubernetes caps quantities far below it as well). */
const MAX_EXPONENT = 1000;

/** Parsed quantities by text: workloads repeat the same few (`100m`, `1Gi`), and Quantity is immutable. */
const cache = new Map<string, Quantity | undefined>();

/** Parses `text` as a Kubernetes quantity; undefined when it is not one. */
export function parseQuantity(text: string): Quantity | undefined {
  if (typeof text !== 'string') return undefined;
  if (cache.has(text)) return cache.get(text);
  const q = parse(text);
  if (cache.size < 10_000) cache.set(text, q);
  return q;
}

function parse(text: string): Quantity | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > 256) return undefined;
  const m = NUMBER.exec(text)!;
  const [whole, sign, int = '', frac = ''] = m;
  if (int.length === 0 && frac.length === 0) return undefined;
  const suffix = text.slice(whole.length);
  let pow10 = -frac.length;
  let pow2 = 0;
  if (suffix in BINARY) pow2 = BINARY[suffix]!;
  else if (suffix in DECIMAL) pow10 += DECIMAL[suffix]!;
  else if (/^[eE][+-]?\d+$/.test(suffix)) {
    const e = Number(suffix.slice(1));
    if (Math.abs(e) > MAX_EXPONENT) return undefined;
    pow10 += e;
  } else return undefined;
  let numerator = BigInt(`${int}${frac}` || '0') * 2n ** BigInt(pow2);
  if (sign === '-') numerator = -numerator;
  let denominator = 1n;
  if (pow10 >= 0) numerator *= 10n ** BigInt(pow10);
  else denominator = 10n ** BigInt(-pow10);
  return new Quantity(text, numerator, denominator);
}

/** Parses `text`, throwing the error Kubernetes' CEL library raises for a malformed quantity. */
export function quantity(text: string): Quantity {
  const q = parseQuantity(text);
  if (!q) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${JSON.stringify(text)}`);
  return q;
}

/** Whether `text` is a Kubernetes quantity (CEL `isQuantity`). */
export function isQuantity(text: string): boolean {
  return parseQuantity(text) !== undefined;
}
