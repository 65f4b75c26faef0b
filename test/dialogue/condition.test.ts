import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConditionError, evaluate, parseCondition, slotsOf, type Expr } from '../../src/dialogue/condition.js';

const run = (src: string, slots: Record<string, string | number | boolean | null> = {}) => evaluate(parseCondition(src), slots);

describe('condition language', () => {
  it('compares slots with strings, numbers and booleans', () => {
    expect(run('entity == "company"', { entity: 'company' })).toEqual({ ok: true, value: true });
    expect(run("entity != 'company'", { entity: 'individual' })).toEqual({ ok: true, value: true });
    expect(run('area >= 50', { area: 80 })).toEqual({ ok: true, value: true });
    expect(run('area < 50', { area: 80 })).toEqual({ ok: true, value: false });
    expect(run('tobacco == true', { tobacco: true })).toEqual({ ok: true, value: true });
  });

  it('combines with and, or, not and parentheses, with the usual precedence', () => {
    const slots = { a: true, b: false, c: true };
    expect(run('a and b or c', slots)).toEqual({ ok: true, value: true });
    // 'and' binds tighter: read (c or a) and b it would be false.
    expect(run('c or a and b', slots)).toEqual({ ok: true, value: true });
    expect(run('(c or a) and b', slots)).toEqual({ ok: true, value: false });
    expect(run('a and (b or not c)', slots)).toEqual({ ok: true, value: false });
    expect(run('not not a', slots)).toEqual({ ok: true, value: true });
  });

  it('lets a bare boolean slot stand as a condition', () => {
    expect(run('tobacco', { tobacco: false })).toEqual({ ok: true, value: false });
    expect(run('not tobacco', { tobacco: false })).toEqual({ ok: true, value: true });
  });

  it('treats an unanswered slot as null: comparable, but an error as a truth value', () => {
    expect(run('entity == null', {})).toEqual({ ok: true, value: true });
    expect(run('entity == "company"', {})).toEqual({ ok: true, value: false });
    expect(run('tobacco', {})).toEqual({ ok: false, error: 'slot "tobacco" has no answer yet' });
    expect(run('area > 3', {})).toMatchObject({ ok: false });
  });

  it('reports a non-boolean used as a truth value instead of guessing', () => {
    expect(run('entity', { entity: 'company' })).toEqual({ ok: false, error: 'slot "entity" is "company", not true or false' });
  });

  it.each([
    ['', 'the condition is empty'],
    ['entity ==', 'the condition ends too early'],
    ['(a and b', 'expected ")"'],
    ['a b', 'unexpected text'],
    ['a === b', 'unexpected character "="'],
    ['"unclosed', 'unclosed quote'],
    ['a & b', 'unexpected character "&"'],
    ['and a', '"and" cannot stand here'],
  ])('refuses to parse %j (%s)', (src, message) => {
    expect(() => parseCondition(src)).toThrow(ConditionError);
    expect(() => parseCondition(src)).toThrow(message);
  });

  it('refuses a condition nested beyond any real use instead of running out of stack', () => {
    expect(() => parseCondition(`${'('.repeat(3000)}a${')'.repeat(3000)}`)).toThrow('more than 500 parts');
    expect(() => parseCondition(Array.from({ length: 5000 }, () => 'a').join(' and '))).toThrow(ConditionError);
  });

  it('lists the slots a condition reads', () => {
    expect(slotsOf(parseCondition('a and (b == "x" or not c) and 3 < d'))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('cannot reach JavaScript: names are only slots', () => {
    expect(run('constructor == null', {})).toEqual({ ok: true, value: true });
    expect(() => parseCondition('process.exit()')).toThrow(ConditionError);
  });
});

/* ---------- properties ---------- */

type Value = string | number | boolean | null;
type Slots = Record<string, Value>;

// Slot names, including ones that exist on Object.prototype: they must read as unanswered slots.
const NAMES = ['a', 'b', 'entity', 'area', 'tobacco', 'x_1', 'constructor', 'toString', '__proto__', 'hasOwnProperty'];
const STRINGS = ['', 'company', '个体户', 'a b', "it's", 'say "hi"', 'and', '1'];
const value: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -20, max: 20 }),
  fc.constantFrom(0.5, -2.25, 10.75),
  fc.constantFrom(...STRINGS),
);
/** Answers given so far: some slots answered (with any kind of value), the others absent. */
const slotsArb: fc.Arbitrary<Slots> = fc
  .array(fc.tuple(fc.constantFrom(...NAMES), value), { maxLength: NAMES.length })
  .map((pairs) => Object.fromEntries(pairs) as Slots);

const OPS = ['==', '!=', '<', '<=', '>', '>='] as const;
const { expr: exprArb } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', maxDepth: 6, withCrossShrink: true },
    value.map((v): Expr => ({ kind: 'literal', value: v })),
    fc.constantFrom(...NAMES).map((name): Expr => ({ kind: 'slot', name })),
    tie('expr').map((e): Expr => ({ kind: 'not', expr: e })),
    fc.tuple(fc.constantFrom('and' as const, 'or' as const), tie('expr'), tie('expr')).map(([kind, left, right]): Expr => ({ kind, left, right })),
    fc.tuple(fc.constantFrom(...OPS), tie('expr'), tie('expr')).map(([op, left, right]): Expr => ({ kind: 'compare', op, left, right })),
  ),
}));

/** How tightly a form binds: or < and < not < compare < a single value. */
const level = (e: Expr): number => ({ or: 1, and: 2, not: 3, compare: 4, literal: 5, slot: 5 })[e.kind];

/** Source text for an expression: minimal parentheses by the grammar's precedence, or all of them. */
function print(e: Expr, all: boolean, space = ' '): string {
  const sub = (x: Expr, min: number) => (all && level(x) < 5) || level(x) < min ? `(${print(x, all, space)})` : print(x, all, space);
  switch (e.kind) {
    case 'literal':
      if (typeof e.value === 'string') return e.value.includes('"') ? `'${e.value}'` : `"${e.value}"`;
      return String(e.value);
    case 'slot':
      return e.name;
    case 'not':
      return `not${space}${sub(e.expr, 3)}`;
    case 'and':
      return `${sub(e.left, 2)}${space}and${space}${sub(e.right, 3)}`;
    case 'or':
      return `${sub(e.left, 1)}${space}or${space}${sub(e.right, 2)}`;
    case 'compare':
      return `${sub(e.left, 5)}${space}${e.op}${space}${sub(e.right, 5)}`;
  }
}
// A string literal holding both kinds of quote cannot be written; none of STRINGS does.

/**
 * The reference semantics, written from the header of condition.ts: an unanswered slot is null;
 * and/or look at their right side only when needed; == and != compare any values exactly; the
 * order comparisons take numbers; a truth value must be a boolean. Anything else is an error.
 */
type Ref = { ok: true; value: Value } | { ok: false };
const ERR: Ref = { ok: false };
function refValue(e: Expr, slots: Slots): Ref {
  switch (e.kind) {
    case 'literal':
      return { ok: true, value: e.value };
    case 'slot':
      return { ok: true, value: Object.prototype.hasOwnProperty.call(slots, e.name) ? slots[e.name]! : null };
    case 'not': {
      const t = refTruth(e.expr, slots);
      return t.ok ? { ok: true, value: !t.value } : ERR;
    }
    case 'and':
    case 'or': {
      const l = refTruth(e.left, slots);
      if (!l.ok) return ERR;
      if (e.kind === 'and' ? !l.value : l.value) return l;
      return refTruth(e.right, slots);
    }
    case 'compare': {
      const l = refValue(e.left, slots);
      const r = refValue(e.right, slots);
      if (!l.ok || !r.ok) return ERR;
      const [a, b] = [l.value, r.value];
      if (e.op === '==') return { ok: true, value: a === b };
      if (e.op === '!=') return { ok: true, value: a !== b };
      if (typeof a !== 'number' || typeof b !== 'number') return ERR;
      const value = { '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[e.op];
      return { ok: true, value };
    }
  }
}
function refTruth(e: Expr, slots: Slots): Ref {
  const v = refValue(e, slots);
  return v.ok && typeof v.value === 'boolean' ? v : ERR;
}
const refSlots = (e: Expr): string[] =>
  e.kind === 'slot' ? [e.name] : e.kind === 'not' ? refSlots(e.expr) : e.kind === 'literal' ? [] : [...refSlots(e.left), ...refSlots(e.right)];

describe('condition language: properties', () => {
  it('reads back what is written, with minimal or with all parentheses, and any spacing', () => {
    fc.assert(
      fc.property(exprArb, fc.boolean(), fc.constantFrom(' ', '  ', '\t', '\n', '\u3000'), (e, all, space) => {
        expect(parseCondition(print(e, all, space))).toEqual(e);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the reference semantics on every well-formed condition and any answers', () => {
    fc.assert(
      fc.property(exprArb, slotsArb, fc.boolean(), (e, slots, all) => {
        const got = evaluate(parseCondition(print(e, all)), slots);
        const want = refTruth(e, slots);
        expect(got.ok, print(e, true)).toBe(want.ok);
        if (got.ok && want.ok) expect(got.value).toBe(want.value);
        if (!got.ok) expect(got.error.length).toBeGreaterThan(0);
        expect(slotsOf(parseCondition(print(e, all)))).toEqual(refSlots(e));
      }),
      { numRuns: 300 },
    );
  });

  // Text made of the language's own pieces, so that much of it parses and the rest fails late.
  const piece = fc.constantFrom('a', 'b', 'not', 'and', 'or', '(', ')', '==', '!=', '<', '>=', '"x"', "'", '"', '1', '-2.5', '-', '.', 'true', 'null', ' ', '=', '&', '个体户', '\u3000', '__proto__');
  const soup = fc.array(piece, { maxLength: 25 }).map((xs) => xs.join(' '));
  const nested = fc
    .tuple(fc.constantFrom('(', 'not ', 'a and ', 'a or ', 'a == ('), fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('a', 'true', ''), fc.boolean())
    .map(([open, n, core, close]) => open.repeat(n) + core + (close && open.includes('(') ? ')'.repeat(n) : ''));

  it('never throws anything but a ConditionError while parsing, and never throws while evaluating', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), soup, nested), slotsArb, (src, slots) => {
        let expr: Expr;
        try {
          expr = parseCondition(src);
        } catch (err) {
          expect(err).toBeInstanceOf(ConditionError);
          return;
        }
        const r = evaluate(expr, slots);
        expect(typeof r.ok).toBe('boolean');
        expect(r.ok ? typeof r.value : typeof r.error).toBe(r.ok ? 'boolean' : 'string');
      }),
      { numRuns: 300 },
    );
  });
});
