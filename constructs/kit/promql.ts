/**
 * A PromQL parser for checking alert rules at synth: it accepts the
 * expression grammar of Prometheus 3 (binary operators with their
 * precedence and vector matching, aggregations with `by`/`without`,
 * function calls, instant and range selectors, subqueries, `offset`, `@`)
 * and returns the metric names the expression selects. Errors give the
 * position and what was expected.
 *
 * Why not a package: the maintained grammar (`@prometheus-io/lezer-promql`)
 * is not installed in this repository, and nothing may be downloaded at
 * build time. This file follows the grammar of the Prometheus parser
 * (promql/parser/generated_parser.y, functions.go, v3) and can be replaced
 * by that package without changing its callers (`parsePromQL`).
 */
import { SovraError } from '../../core/errors.js';

/** Functions of PromQL (prometheus/promql/parser/functions.go, v3, including the experimental ones). */
export const PROMQL_FUNCTIONS: ReadonlySet<string> = new Set([
  'abs', 'absent', 'absent_over_time', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'avg_over_time', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min',
  'cos', 'cosh', 'count_over_time', 'days_in_month', 'day_of_month', 'day_of_week', 'day_of_year', 'deg', 'delta', 'deriv', 'exp', 'floor', 'histogram_avg',
  'histogram_count', 'histogram_fraction', 'histogram_quantile', 'histogram_stddev', 'histogram_stdvar', 'histogram_sum', 'double_exponential_smoothing',
  'hour', 'idelta', 'increase', 'info', 'irate', 'label_replace', 'label_join', 'last_over_time', 'ln', 'log10', 'log2', 'mad_over_time', 'max_over_time',
  'min_over_time', 'minute', 'month', 'pi', 'predict_linear', 'present_over_time', 'quantile_over_time', 'rad', 'rate', 'resets', 'round', 'scalar', 'sgn',
  'sin', 'sinh', 'sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc', 'sqrt', 'stddev_over_time', 'stdvar_over_time', 'sum_over_time', 'tan', 'tanh',
  'time', 'timestamp', 'vector', 'year', 'ts_of_max_over_time', 'ts_of_min_over_time', 'ts_of_last_over_time', 'first_over_time', 'ts_of_first_over_time',
]);

const AGGREGATIONS = new Set(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'count_values', 'quantile', 'limitk', 'limit_ratio']);
/** Binary operators by precedence, lowest first (generated_parser.y %left/%right). */
const PRECEDENCE: ReadonlyArray<readonly string[]> = [['or'], ['and', 'unless'], ['==', '!=', '<=', '<', '>=', '>'], ['+', '-'], ['*', '/', '%', 'atan2'], ['^']];
const COMPARISON = new Set(PRECEDENCE[2]);
const SET_OPS = new Set(['and', 'or', 'unless']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'atan2', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool']);

type Tok = { t: 'id' | 'num' | 'str' | 'dur' | 'op' | 'end'; v: string; at: number };

const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+/;
const NUMBER = /^(0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?|[Ii]nf|[Nn]a[Nn])/;
const IDENT = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const OPS = ['==', '!=', '=~', '!~', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '^', '(', ')', '{', '}', '[', ']', ',', ':', '=', '@'];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let inBrackets = false;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    const rest = src.slice(i);
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += c !== '`' && src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new Error(`unterminated string at ${i}`);
      out.push({ t: 'str', v: src.slice(i + 1, j), at: i });
      i = j + 1;
      continue;
    }
    if (inBrackets && c === ':') { out.push({ t: 'op', v: ':', at: i }); i++; continue; }
    const dur = inBrackets || out.at(-1)?.v === 'offset' ? DURATION.exec(rest) : null;
    if (dur) { out.push({ t: 'dur', v: dur[0], at: i }); i += dur[0].length; continue; }
    const id = IDENT.exec(rest);
    if (id && !/^[Ii]nf$|^[Nn]a[Nn]$/.test(id[0])) { out.push({ t: 'id', v: id[0], at: i }); i += id[0].length; continue; }
    const num = NUMBER.exec(rest);
    if (num) { out.push({ t: 'num', v: num[0], at: i }); i += num[0].length; continue; }
    const op = OPS.find((o) => rest.startsWith(o));
    if (!op) throw new Error(`unexpected character "${c}" at ${i}`);
    if (op === '[') inBrackets = true;
    if (op === ']') inBrackets = false;
    out.push({ t: 'op', v: op, at: i });
    i += op.length;
  }
  out.push({ t: 'end', v: '', at: src.length });
  return out;
}

/** What kind of value an expression has (PromQL's types; strings only as arguments). */
type ValueType = 'vector' | 'matrix' | 'scalar' | 'string';

class Parser {
  private i = 0;
  readonly metrics = new Set<string>();
  constructor(private readonly toks: Tok[]) {}

  private peek(k = 0): Tok {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private next(): Tok {
    return this.toks[this.i++]!;
  }
  private fail(expected: string): never {
    const t = this.peek();
    throw new Error(`expected ${expected} at ${t.at}, found ${t.t === 'end' ? 'end of expression' : `"${t.v}"`}`);
  }
  private expect(v: string): void {
    if (this.peek().v !== v || this.peek().t === 'str') this.fail(`"${v}"`);
    this.i++;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return (t.t === 'op' || t.t === 'id') && t.v === v;
  }

  parseAll(): ValueType {
    const type = this.expr(0);
    if (this.peek().t !== 'end') this.fail('an operator or the end of the expression');
    return type;
  }

  private expr(level: number): ValueType {
    if (level >= PRECEDENCE.length) return this.unary();
    let left = this.expr(level + 1);
    for (;;) {
      const t = this.peek();
      const op = t.v;
      if (!((t.t === 'op' || t.t === 'id') && PRECEDENCE[level]!.includes(op))) return left;
      this.i++;
      let bool = false;
      if (COMPARISON.has(op) && this.isOp('bool')) { this.i++; bool = true; }
      this.vectorMatching();
      // `^` is right-associative; the others are left-associative.
      const right = op === '^' ? this.expr(level) : this.expr(level + 1);
      if (SET_OPS.has(op) && (left !== 'vector' || right !== 'vector')) throw new Error(`set operator "${op}" at ${t.at} needs instant vectors on both sides`);
      if (left === 'string' || right === 'string' || left === 'matrix' || right === 'matrix') throw new Error(`binary operator "${op}" at ${t.at} needs scalars or instant vectors`);
      if (bool && left === 'scalar' && right === 'scalar') left = 'scalar';
      else if (COMPARISON.has(op) && !bool && left === 'scalar' && right === 'scalar') throw new Error(`comparison "${op}" between scalars at ${t.at} needs "bool"`);
      else left = left === 'vector' || right === 'vector' ? 'vector' : 'scalar';
    }
  }

  private vectorMatching(): void {
    if (this.isOp('on') || this.isOp('ignoring')) {
      this.i++;
      this.labelList();
      if (this.isOp('group_left') || this.isOp('group_right')) {
        this.i++;
        if (this.isOp('(')) this.labelList();
      }
    }
  }

  private labelList(): string[] {
    this.expect('(');
    const labels: string[] = [];
    while (!this.isOp(')')) {
      const t = this.next();
      if (t.t !== 'id' && t.t !== 'str') { this.i--; this.fail('a label name'); }
      labels.push(t.v);
      if (!this.isOp(')')) this.expect(',');
    }
    this.expect(')');
    return labels;
  }

  private unary(): ValueType {
    if (this.isOp('-') || this.isOp('+')) {
      const at = this.next().at;
      const type = this.unary();
      if (type !== 'scalar' && type !== 'vector') throw new Error(`unary operator at ${at} needs a scalar or an instant vector`);
      return type;
    }
    return this.postfix(this.primary());
  }

  private postfix(type: ValueType): ValueType {
    for (;;) {
      if (this.isOp('[')) {
        const at = this.peek().at;
        this.i++;
        if (this.peek().t !== 'dur') this.fail('a duration');
        this.i++;
        if (this.isOp(':')) {
          this.i++;
          if (this.peek().t === 'dur') this.i++;
          if (type !== 'vector') throw new Error(`subquery at ${at} needs an instant vector`);
        } else if (type !== 'vector' || !this.lastWasSelector) throw new Error(`range at ${at} applies only to a vector selector`);
        this.expect(']');
        type = 'matrix';
        this.lastWasSelector = false;
      } else if (this.isOp('offset')) {
        this.i++;
        if (this.isOp('-')) this.i++;
        if (this.peek().t !== 'dur') this.fail('a duration after offset');
        this.i++;
      } else if (this.isOp('@')) {
        this.i++;
        const t = this.next();
        if (t.t === 'num') continue;
        if (t.t === 'id' && (t.v === 'start' || t.v === 'end')) { this.expect('('); this.expect(')'); continue; }
        this.i--;
        this.fail('a timestamp, start() or end() after @');
      } else return type;
    }
  }

  private lastWasSelector = false;

  private primary(): ValueType {
    this.lastWasSelector = false;
    const t = this.peek();
    if (t.t === 'num') { this.i++; return 'scalar'; }
    if (t.t === 'str') { this.i++; return 'string'; }
    if (t.t === 'dur') this.fail('an expression');
    if (t.v === '(' && t.t === 'op') {
      this.i++;
      const type = this.expr(0);
      this.expect(')');
      return type;
    }
    if (t.v === '{' && t.t === 'op') return this.selector(undefined);
    if (t.t === 'id') {
      if (AGGREGATIONS.has(t.v) && (this.peek(1).v === '(' || this.peek(1).v === 'by' || this.peek(1).v === 'without')) return this.aggregation();
      if (this.peek(1).v === '(' && this.peek(1).t === 'op') return this.call();
      if (KEYWORDS.has(t.v)) this.fail('an expression');
      this.i++;
      return this.selector(t.v);
    }
    this.fail('an expression');
  }

  private selector(name: string | undefined): ValueType {
    let named = name;
    let positive = false;
    if (this.isOp('{')) {
      this.i++;
      while (!this.isOp('}')) {
        const label = this.next();
        if (label.t === 'str' && (this.isOp(',') || this.isOp('}'))) {
          // Prometheus 3 quoted metric name inside the braces: {"metric.name"}
          named = label.v;
        } else {
          if (label.t !== 'id' && label.t !== 'str') { this.i--; this.fail('a label name'); }
          const op = this.next();
          if (!['=', '!=', '=~', '!~'].includes(op.v) || op.t !== 'op') { this.i--; this.fail('a label matcher operator'); }
          const value = this.next();
          if (value.t !== 'str') { this.i--; this.fail('a quoted label value'); }
          if (label.v === '__name__' && op.v === '=') named = value.v;
          if (!(op.v === '=~' && /^\.?\*?$/.test(value.v)) && !(op.v === '!=' && value.v === '') && value.v !== '') positive = true;
          if (op.v === '!=' && value.v === '') positive = true;
        }
        if (!this.isOp('}')) this.expect(',');
      }
      this.expect('}');
    }
    if (!named && !positive) throw new Error('a vector selector must name a metric or have a matcher that does not match the empty string');
    if (named) this.metrics.add(named);
    this.lastWasSelector = true;
    return 'vector';
  }

  private aggregation(): ValueType {
    const name = this.next().v;
    if (this.isOp('by') || this.isOp('without')) { this.i++; this.labelList(); }
    this.expect('(');
    const args: ValueType[] = [];
    while (!this.isOp(')')) {
      args.push(this.expr(0));
      if (!this.isOp(')')) this.expect(',');
    }
    this.expect(')');
    if (this.isOp('by') || this.isOp('without')) { this.i++; this.labelList(); }
    const parametric = ['topk', 'bottomk', 'quantile', 'count_values', 'limitk', 'limit_ratio'].includes(name);
    if (args.length !== (parametric ? 2 : 1)) throw new Error(`aggregation ${name} takes ${parametric ? 2 : 1} argument(s), got ${args.length}`);
    if (args.at(-1) !== 'vector') throw new Error(`aggregation ${name} needs an instant vector`);
    return 'vector';
  }

  private call(): ValueType {
    const name = this.next();
    if (!PROMQL_FUNCTIONS.has(name.v)) throw new Error(`unknown function "${name.v}" at ${name.at}`);
    this.expect('(');
    const args: ValueType[] = [];
    while (!this.isOp(')')) {
      args.push(this.expr(0));
      if (!this.isOp(')')) this.expect(',');
    }
    this.expect(')');
    if (name.v.endsWith('_over_time') || ['rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'changes', 'resets', 'predict_linear', 'double_exponential_smoothing'].includes(name.v)) {
      if (!args.includes('matrix')) throw new Error(`function ${name.v} at ${name.at} needs a range vector`);
    }
    return ['time', 'pi', 'scalar'].includes(name.v) ? 'scalar' : 'vector';
  }
}

/** The result of parsing an expression. */
export interface ParsedPromQL {
  /** Metric names the expression selects, sorted. */
  readonly metrics: readonly string[];
}

/** Parses `expr` as PromQL; throws a SovraError naming `where` and the position of the error. */
export function parsePromQL(expr: string, where: string): ParsedPromQL {
  try {
    const p = new Parser(tokenize(expr));
    const type = p.parseAll();
    if (type !== 'vector' && type !== 'scalar') throw new Error(`an alert or panel expression must be an instant vector or scalar, got a ${type}`);
    return { metrics: [...p.metrics].sort() };
  } catch (e) {
    if (e instanceof SovraError) throw e;
    throw new SovraError('bad-input', `${where}: PromQL expression does not parse: ${(e as Error).message}. Expression: ${expr}`);
  }
}
