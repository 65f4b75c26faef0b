/**
 * The citizen side of the HTTP contract as the chat page uses it: POST /api/chat and the
 * transcript route, sending each conversation's key (X-Session-Key) once the first response
 * has issued it.
 */
export interface ChatClient {
  /** POST /api/chat; `body` as an object (sent as JSON) or a raw string. Remembers an issued key. */
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** GET /api/chat/:sessionId/messages?after=… with the conversation's key. */
  messages(sessionId: string, after?: number | string): Promise<Response>;
  /** POST to another citizen route that names the conversation in its body (feedback, rating). */
  postFor(path: string, body: { sessionId: string } & Record<string, unknown>): Promise<Response>;
  /** The key issued for a conversation, if any. */
  keyOf(sessionId: string): string | undefined;
  /** `{ 'x-session-key': key }` for a conversation with a key, else `{}`. */
  headers(sessionId: string): Record<string, string>;
}

export function chatClient(baseUrl: string | (() => string)): ChatClient {
  const base = typeof baseUrl === 'string' ? () => baseUrl : baseUrl;
  const keys = new Map<string, string>();
  const headers = (sessionId: string): Record<string, string> => {
    const key = keys.get(sessionId);
    return key ? { 'x-session-key': key } : {};
  };
  const sessionOf = (body: unknown): string | undefined => {
    if (body && typeof body === 'object' && typeof (body as { sessionId?: unknown }).sessionId === 'string') return (body as { sessionId: string }).sessionId;
    return undefined;
  };
  return {
    async post(body, extra = {}) {
      const sessionId = sessionOf(body);
      const res = await fetch(`${base()}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(sessionId ? headers(sessionId) : {}), ...extra },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      if (res.ok && sessionId) {
        const out = (await res.clone().json()) as { sessionKey?: string };
        if (out.sessionKey) keys.set(sessionId, out.sessionKey);
      }
      return res;
    },
    messages: (sessionId, after = 0) =>
      fetch(`${base()}/api/chat/${encodeURIComponent(sessionId)}/messages?after=${after}`, { headers: headers(sessionId) }),
    postFor: (path, body) =>
      fetch(`${base()}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers(body.sessionId) },
        body: JSON.stringify(body),
      }),
    keyOf: (sessionId) => keys.get(sessionId),
    headers,
  };
}
