/**
 * The small, safe condition language of walkthroughs (flows/*.yaml). Never `eval`.
 *
 *   expr    := or
 *   or      := and ("or" and)*
 *   and     := not ("and" not)*
 *   not     := "not" not | compare
 *   compare := value (("==" | "!=" | "<" | "<=" | ">" | ">=") value)?
 *   value   := NAME | "string" | NUMBER | true | false | null | "(" expr ")"
 *
 * NAMEs are the walkthrough's slots. A slot not answered yet is null: `x == null` and
 * `x != "a"` are fine, but using null as a truth value or in `<` is an error, reported — never
 * silently taken as false.
 */

export type Value = string | number | boolean | null;

export type Expr =
  | { kind: 'literal'; value: Value }
  | { kind: 'slot'; name: string }
  | { kind: 'not'; expr: Expr }
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'compare'; op: '==' | '!=' | '<' | '<=' | '>' | '>='; left: Expr; right: Expr };

export class ConditionError extends Error {}

type Token =
  | { t: 'name'; v: string; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'num'; v: number; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; at: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false', 'null']);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '<=', '>='].includes(two)) {
      out.push({ t: 'op', v: two, at: i });
      i += 2;
      continue;
    }
    if ('<>()'.includes(c)) {
      out.push({ t: 'op', v: c, at: i });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ConditionError(`unclosed quote at position ${i + 1}`);
      out.push({ t: 'str', v: src.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[0]), at: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      out.push({ t: 'name', v: name[0], at: i });
      i += name[0].length;
      continue;
    }
    throw new ConditionError(`unexpected character "${c}" at position ${i + 1}`);
  }
  out.push({ t: 'end', at: src.length });
  return out;
}

/**
 * More parts than any real condition has. Parsing and evaluating recurse once per level of
 * nesting, so a bound on the parts keeps a runaway condition from exhausting the stack — it is
 * refused with a ConditionError like any other mistake.
 */
export const MAX_PARTS = 500;

/** Parses a condition; throws ConditionError with the position of the problem. */
export function parseCondition(src: string): Expr {
  const tokens = tokenize(src);
  if (tokens.length - 1 > MAX_PARTS) {
    throw new ConditionError(`the condition has more than ${MAX_PARTS} parts (names, values, operators, brackets); split it`);
  }
  let pos = 0;
  const peek = () => tokens[pos]!;
  const isWord = (w: string) => {
    const t = peek();
    return t.t === 'name' && t.v === w;
  };
  const fail = (what: string): never => {
    const t = peek();
    throw new ConditionError(`${what} at position ${t.at + 1}`);
  };

  /** A left-associative chain of one binary word: `x and y and z`, `x or y`. */
  const chain =
    (word: 'and' | 'or', operand: () => Expr) =>
    (): Expr => {
      let left = operand();
      while (isWord(word)) {
        pos++;
        left = { kind: word, left, right: operand() };
      }
      return left;
    };
  const parseAnd = chain('and', () => parseNot());
  const parseOr = chain('or', parseAnd);
  const parseNot = (): Expr => {
    if (isWord('not')) {
      pos++;
      return { kind: 'not', expr: parseNot() };
    }
    return parseCompare();
  };
  const parseCompare = (): Expr => {
    const left = parseValue();
    const t = peek();
    if (t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      pos++;
      return { kind: 'compare', op: t.v as '==', left, right: parseValue() };
    }
    return left;
  };
  const parseValue = (): Expr => {
    const t = peek();
    if (t.t === 'op' && t.v === '(') {
      pos++;
      const e = parseOr();
      const close = peek();
      if (!(close.t === 'op' && close.v === ')')) fail('expected ")"');
      pos++;
      return e;
    }
    if (t.t === 'str') {
      pos++;
      return { kind: 'literal', value: t.v };
    }
    if (t.t === 'num') {
      pos++;
      return { kind: 'literal', value: t.v };
    }
    if (t.t === 'name') {
      pos++;
      if (t.v === 'true') return { kind: 'literal', value: true };
      if (t.v === 'false') return { kind: 'literal', value: false };
      if (t.v === 'null') return { kind: 'literal', value: null };
      if (KEYWORDS.has(t.v)) {
        pos--;
        return fail(`"${t.v}" cannot stand here`);
      }
      return { kind: 'slot', name: t.v };
    }
    return fail(t.t === 'end' ? 'the condition ends too early' : 'expected a slot name or a value');
  };

  if (tokens.length === 1) throw new ConditionError('the condition is empty');
  const expr = parseOr();
  if (peek().t !== 'end') fail('unexpected text');
  return expr;
}

/** Slot names a condition reads. */
export function slotsOf(expr: Expr): string[] {
  switch (expr.kind) {
    case 'literal':
      return [];
    case 'slot':
      return [expr.name];
    case 'not':
      return slotsOf(expr.expr);
    case 'and':
    case 'or':
    case 'compare':
      return [...slotsOf(expr.left), ...slotsOf(expr.right)];
  }
}

export type Evaluation = { ok: true; value: boolean } | { ok: false; error: string };

function valueOf(expr: Expr, slots: Readonly<Record<string, Value>>): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'slot':
      // Own properties only: a slot named "constructor" must not reach Object.prototype.
      return Object.hasOwn(slots, expr.name) ? (slots[expr.name] ?? null) : null;
    case 'not':
      return !truth(expr.expr, slots);
    case 'and':
      return truth(expr.left, slots) && truth(expr.right, slots);
    case 'or':
      return truth(expr.left, slots) || truth(expr.right, slots);
    case 'compare': {
      const a = valueOf(expr.left, slots);
      const b = valueOf(expr.right, slots);
      if (expr.op === '==') return a === b;
      if (expr.op === '!=') return a !== b;
      if (typeof a !== 'number' || typeof b !== 'number') {
        throw new ConditionError(`"${expr.op}" compares numbers, got ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
      }
      return expr.op === '<' ? a < b : expr.op === '<=' ? a <= b : expr.op === '>' ? a > b : a >= b;
    }
  }
}

function truth(expr: Expr, slots: Readonly<Record<string, Value>>): boolean {
  const v = valueOf(expr, slots);
  if (typeof v !== 'boolean') {
    const what = expr.kind === 'slot' ? `slot "${expr.name}"` : 'a value';
    throw new ConditionError(
      v === null ? `${what} has no answer yet` : `${what} is ${JSON.stringify(v)}, not true or false`,
    );
  }
  return v;
}

/** Evaluates a parsed condition against the slots; a failure is a value, with the reason. */
export function evaluate(expr: Expr, slots: Readonly<Record<string, Value>>): Evaluation {
  try {
    return { ok: true, value: truth(expr, slots) };
  } catch (err) {
    if (err instanceof ConditionError) return { ok: false, error: err.message };
    throw err;
  }
}
