import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';

describe('createLogger', () => {
  it('masks personal numbers and addresses in every string field, nested too', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    log.info('unanswered', { sessionId: 'web-a1b2c3d4', text: '我电话138.1234.5678，住新兴二路123号', detail: { username: '450403199001011234', list: ['0774-1234567'] } });
    const line = lines[0]!;
    expect(line).not.toMatch(/1234\.5678|19900101|1234567|123号/);
    const parsed = JSON.parse(line) as { sessionId: string; text: string; detail: { username: string; list: string[] } };
    expect(parsed.text).toBe('我电话138****5678，住新兴二路***号');
    expect(parsed.detail).toEqual({ username: '450*************34', list: ['0774*****67'] });
    // The service's own identifiers are kept as they are, so log lines can still be matched up.
    expect(parsed.sessionId).toBe('web-a1b2c3d4');
  });

  it('writes nothing below its level', () => {
    const lines: string[] = [];
    createLogger('warn', (l) => lines.push(l)).info('x', {});
    expect(lines).toEqual([]);
  });
});
