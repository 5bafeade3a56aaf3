/**
 * The Kubernetes quantity library: the grammar and exact comparison of
 * k8s.io/apimachinery's resource.Quantity, and the CEL functions as
 * Kubernetes names them, on the synth's evaluator and on the second
 * implementation (which must agree).
 */
import { describe, expect, it } from 'vitest';
import { admissionEnvironment } from './evaluator.js';
import { isQuantity, parseQuantity, quantity } from './quantity.js';
import { secondProgram } from '../../test/support/cel-second.js';

describe('parseQuantity', () => {
  it.each([
    ['1', 1n, 1n],
    ['500m', 500n, 1000n],
    ['0.5', 5n, 10n],
    ['.5', 5n, 10n],
    ['5.', 5n, 1n],
    ['1Ki', 1024n, 1n],
    ['1Gi', 1073741824n, 1n],
    ['1G', 1000000000n, 1n],
    ['2.5Mi', 2n * 1048576n + 1048576n / 2n, 1n],
    ['1e3', 1000n, 1n],
    ['1E-3', 1n, 1000n],
    ['-1', -1n, 1n],
    ['+2k', 2000n, 1n],
    ['100n', 100n, 1000000000n],
    ['3u', 3n, 1000000n],
  ])('%s', (text, num, den) => {
    const q = parseQuantity(text)!;
    expect(q).toBeDefined();
    expect(q.numerator * den).toBe(num * q.denominator);
  });

  it.each(['', 'lots', '1K', '1KiB', '1.2.3', 'm', '1 Gi', '1e', '1e1001', '--1', 'Gi'])('refuses %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
    expect(isQuantity(text)).toBe(false);
    expect(() => quantity(text)).toThrow(/quantities must match/);
  });

  it('compares exactly: 500m = 0.5, 1Gi > 1G, 1e3 = 1k, 256Mi = 0.25Gi, -1 < 0', () => {
    expect(quantity('500m').compareTo(quantity('0.5'))).toBe(0);
    expect(quantity('1Gi').compareTo(quantity('1G'))).toBe(1);
    expect(quantity('1e3').compareTo(quantity('1k'))).toBe(0);
    expect(quantity('256Mi').compareTo(quantity('0.25Gi'))).toBe(0);
    expect(quantity('-1').compareTo(quantity('0'))).toBe(-1);
    expect(quantity('-1').sign()).toBe(-1);
    expect(quantity('0m').sign()).toBe(0);
    expect(quantity('100n').compareTo(quantity('1u'))).toBe(-1);
  });
});

describe('the quantity library in CEL, on both implementations', () => {
  const env = admissionEnvironment();
  it.each([
    ["isQuantity('1Gi')", true],
    ["isQuantity('1GiB')", false],
    ["quantity('500m').compareTo(quantity('0.5')) == 0", true],
    ["quantity('1Gi').isGreaterThan(quantity('1G'))", true],
    ["quantity('1Gi').isLessThan(quantity('1G'))", false],
    ["quantity('-2').sign() == -1", true],
    ["quantity(string(object.cpu)).compareTo(quantity('1')) == 0", true],
    ["'a b'.split(' ').join('-') == 'a-b'", true],
  ])('%s', (expr, want) => {
    const ctx = { object: { cpu: 1n } };
    expect(env.parse(expr)(ctx)).toBe(want);
    expect(secondProgram(expr)(ctx)).toBe(want);
  });

  it('a malformed quantity is an evaluation error on both', () => {
    expect(() => env.parse("quantity('lots').sign() == 1")({})).toThrow(/quantities must match/);
    expect(() => secondProgram("quantity('lots').sign() == 1")({})).toThrow();
  });
});
