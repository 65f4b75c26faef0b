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

/** The staff roles as a page names them. */
export const ROLE_NAMES = { officer: '工作人员', editor: '编辑', admin: '管理员' };

/**
 * A staff page's sign-in, one for the officer console, the editor and account administration.
 * The page holds `<section id="login" class="login" hidden>` with its heading; this puts the form
 * (#login-form with #username, #password, 登录 and the #login-error line) under the heading, signs
 * in with it, lets in only `roles` (another role is told `refused` and may 退出登录), shows who is
 * signed in in #who and the page's main part `app` (an id), and comes back to the form with the
 * reason when the session ends.
 * - `onSignedIn(me)`: load the page (the account from /api/auth/me).
 * - `signInOther()`: tried when nobody is signed in, before the form (Teams single sign-on);
 *   true when it signed in.
 * - `onForm()`: the form is shown to someone not signed in (a page's hint).
 * - `onEnd()`: the session ended — drop what the page holds (sockets, timers, data).
 * Returns `start()`: ask who is signed in, then show the page or the form. The header's
 * #sign-out button (退出登录), if the page has one, signs out.
 */
export function staffSignIn({ app, roles, refused, onSignedIn, signInOther, onForm, onEnd }) {
  const section = $('login');
  const form = el('form', { id: 'login-form' },
    el('label', {}, '用户名 ', el('input', { id: 'username', autocomplete: 'username', required: true })),
    el('label', {}, '密码 ', el('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    el('button', { type: 'submit', text: '登录' }),
    el('p', { id: 'login-error', class: 'error', role: 'alert' }));
  const heading = section.querySelector('h2');
  if (heading) heading.after(form);
  else section.prepend(form);

  const showForm = (message) => {
    $(app).hidden = true;
    section.hidden = false;
    if (message !== undefined) $('login-error').textContent = message;
  };

  async function start() {
    let me;
    try {
      me = (await api('GET', '/api/auth/me')).user;
    } catch {
      // Not signed in, or the session just ended (the form then already says why).
      showForm();
      if (signInOther && (await signInOther())) return start();
      onForm?.();
      $('username').focus();
      return;
    }
    $('who').textContent = `${me.displayName}（${ROLE_NAMES[me.role] ?? me.role}）`;
    if (!roles.includes(me.role)) {
      showForm(refused);
      return;
    }
    section.hidden = true;
    $(app).hidden = false;
    await onSignedIn(me);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    $('login-error').textContent = '';
    try {
      await api('POST', '/api/auth/login', { username: $('username').value, password: $('password').value });
      $('password').value = '';
      await start();
    } catch (err) {
      $('login-error').textContent = err.message;
    }
  });

  sessionEndHandlers.push((message) => {
    onEnd?.();
    $('who').replaceChildren();
    showForm(message);
    $('password').value = '';
    $('username').focus();
  });
  $('sign-out')?.addEventListener('click', () => void signOut());
  return start;
}
