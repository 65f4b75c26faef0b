/**
 * Structured one-line JSON logs. Every string in the fields is masked (maskPersonal) before it is
 * written, so a phone, ID number or address that reaches a log call by any path is not logged raw.
 */
import { maskPersonal } from './mask-personal.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Identifiers made by the service itself (random or hashed), which masking would only garble. */
const OWN_IDS = new Set(['sessionId', 'id', 'checklistId', 'draftId', 'entryId', 'ticket']);

function masked(value: unknown, key: string, depth = 0): unknown {
  if (typeof value === 'string') return OWN_IDS.has(key) ? value : maskPersonal(value);
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => masked(v, key, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v, k, depth + 1)]));
}

/** The sink is passed in (main.ts gives stdout), so this module does no I/O itself. */
export function createLogger(level: LogLevel, write: (line: string) => void): Logger {
  const at = (lvl: Exclude<LogLevel, 'silent'>) => (event: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < ORDER[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, event, ...(masked(fields, '') as Record<string, unknown>) }));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = createLogger('silent', () => {});
