// What every page script needs: find an element, build one, call the API. An ES module, loaded
// same-origin by the pages' own modules (chat.js, editor.js, officer.js, admin.js); pages run under
// Content-Security-Policy script-src 'self', so nothing here builds markup from strings.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/**
 * A new element. attrs: `class`, `text` (its textContent), `on<event>` (a listener), or any
 * attribute — `true` sets it empty, `false`, `null` and `undefined` leave it out. Children that are
 * `null`, `undefined` or `false` are skipped, so `cond && el(…)` may be passed.
 */
export function el(tag, attrs = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') n.className = v;
    else if (k === 'text') n.textContent = v;
    else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
    else if (v !== false && v !== null && v !== undefined) n.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) n.append(c);
  return n;
}

/**
 * A call to Yici's own API with the session cookie; a body is sent as JSON. Resolves to the JSON
 * answer ({} when the answer is not JSON). A failed call rejects with an Error whose message is
 * the server's (Chinese) message, or 请求失败（status） when there is none, carrying `status` and
 * the server's `details`.
 */
export async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    body: body !== undefined ? JSON.stringify(body) : undefined,
    credentials: 'same-origin',
  });
  const data = res.headers.get('content-type')?.includes('json') ? await res.json().catch(() => ({})) : {};
  if (!res.ok) throw Object.assign(new Error(data.error?.message ?? `请求失败（${res.status}）`), { status: res.status, details: data.error?.details });
  return data;
}
