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
