/** Request validation with zod, turned into 400 errors that name the field. */
import { z } from 'zod';
import { AppError } from '../core/errors.js';

export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, code = 'invalid_request'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', problem: i.message }));
  const first = issues[0];
  throw new AppError(400, code, first ? `${first.field}: ${first.problem}` : '请求格式不正确。', issues);
}

export const sessionIdSchema = z
  .string({ error: 'sessionId 必须是字符串' })
  .min(1, { error: 'sessionId 不能为空' })
  .max(128, { error: 'sessionId 不能超过 128 个字符' })
  .regex(/^[A-Za-z0-9._:-]+$/, { error: 'sessionId 只能包含字母、数字和 . _ : -' });

/** The deepest nesting of arrays and objects a JSON body may have; real requests use fewer than ten. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether JSON text nests arrays and objects deeper than `max`, counted over the raw bytes
 * without parsing or recursion. Deeply nested input would otherwise reach recursive code
 * (validation, YAML) and end as a stack overflow.
 */
export function jsonNestingExceeds(body: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** body-parser's `verify` hook: a body nested too deeply is refused before it is parsed (400 too_deep). */
export const refuseDeepJson =
  (max = MAX_JSON_DEPTH) =>
  (_req: unknown, _res: unknown, body: Buffer): void => {
    if (jsonNestingExceeds(body, max)) throw Object.assign(new Error(`JSON nested deeper than ${max}`), { status: 400, type: 'entity.too.deep' });
  };
