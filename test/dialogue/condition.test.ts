import { describe, expect, it } from 'vitest';
import { ConditionError, evaluate, parseCondition, slotsOf } from '../../src/dialogue/condition.js';

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

  it('lists the slots a condition reads', () => {
    expect(slotsOf(parseCondition('a and (b == "x" or not c) and 3 < d'))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('cannot reach JavaScript: names are only slots', () => {
    expect(run('constructor == null', {})).toEqual({ ok: true, value: true });
    expect(() => parseCondition('process.exit()')).toThrow(ConditionError);
  });
});
