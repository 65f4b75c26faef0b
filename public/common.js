// What every page script needs: find an element, build one, call the API, and on staff pages
// return to the sign-in form when the session ends. An ES module, loaded
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
 * the server's `details`. A 401 `unauthenticated` on a page that was signed in ends the session
 * (see staffSignIn below).
 */
export async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    body: body !== undefined ? JSON.stringify(body) : undefined,
    credentials: 'same-origin',
  });
  const data = res.headers.get('content-type')?.includes('json') ? await res.json().catch(() => ({})) : {};
  if (res.ok && SIGN_IN_PATHS.includes(path)) markSignedIn(true);
  // Signed in until now: the session has ended (staff pages return to their sign-in form).
  if (res.status === 401 && data.error?.code === 'unauthenticated' && signedIn) {
    endSession(SESSION_EXPIRED);
    throw Object.assign(new Error(SESSION_EXPIRED), { status: 401 });
  }
  if (!res.ok) throw Object.assign(new Error(data.error?.message ?? `请求失败（${res.status}）`), { status: res.status, details: data.error?.details });
  return data;
}

// ---- Staff pages (officer, editor, admin): the session ----
//
// A session can end while a page is open: signed out in another tab, expired, the account
// disabled or given a new password. Then every staff page returns to its sign-in form with the
// reason, instead of failing call after call. Any call that answers 401 `unauthenticated` once
// the page was signed in ends it here; so does a sign-out in another tab of this browser
// (BroadcastChannel), and the officer console's socket when the server closes it (4401).

/** What a staff page says when its session has ended. */
export const SESSION_EXPIRED = '登录已过期，请重新登录。';
const SIGNED_OUT_ELSEWHERE = '已在其他窗口退出登录，请重新登录。';
/** Answers that mean "signed in": the page shows 退出登录 from then on. */
const SIGN_IN_PATHS = ['/api/auth/me', '/api/auth/login', '/api/auth/teams-sso'];
let signedIn = false;
const sessionEndHandlers = [];
let staffChannel = null;

function markSignedIn(on) {
  signedIn = on;
  const button = $('sign-out');
  if (button) button.hidden = !on;
  if (on && !staffChannel && typeof BroadcastChannel === 'function') {
    staffChannel = new BroadcastChannel('yici-staff');
    staffChannel.addEventListener('message', (e) => {
      if (e.data === 'signed-out') endSession(SIGNED_OUT_ELSEWHERE);
    });
  }
}

/** The session ended (`message` says why): run the page's handlers once, until it signs in again. */
export function endSession(message = SESSION_EXPIRED) {
  if (!signedIn) return;
  markSignedIn(false);
  for (const handler of sessionEndHandlers) handler(message);
}

/** 退出登录: end the session on the server, tell this browser's other tabs, start afresh. */
export async function signOut() {
  signedIn = false;
  await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => {});
  staffChannel?.postMessage('signed-out');
  location.reload();
}

/**
 * A staff page's way back to its sign-in form: when the session ends, `app` (an id) is hidden,
 * `signIn` (the id of the section holding #login-form, #username, #password and #login-error) is
 * shown with the reason, and `onEnd` lets the page drop what it holds (sockets, timers, data).
 * The header's #sign-out button (退出登录), if the page has one, signs out.
 */
export function staffSignIn({ signIn, app, onEnd }) {
  sessionEndHandlers.push((message) => {
    onEnd?.();
    $(app).hidden = true;
    $(signIn).hidden = false;
    $('login-error').textContent = message;
    $('password').value = '';
    $('username').focus();
  });
  $('sign-out')?.addEventListener('click', () => void signOut());
}
