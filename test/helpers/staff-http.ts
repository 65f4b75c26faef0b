/** JSON requests to the running server as a signed-in member of staff (cookie), for the API tests. */
import { expect } from 'vitest';

export function staffHttp(baseUrl: () => string) {
  const json = (method: string, path: string, body?: unknown, cookie?: string) =>
    fetch(baseUrl() + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  /** Signs in and returns the session cookie (`name=value`). */
  const login = async (username: string, password: string): Promise<string> => {
    const res = await json('POST', '/api/auth/login', { username, password });
    expect(res.status).toBe(200);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  };
  return { json, login };
}
