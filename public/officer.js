// Officer console: queues, case card, live chat with the citizen, claim/transfer/release/resolve, call-backs.
import { $, api, el, endSession, SESSION_EXPIRED, staffSignIn } from '/common.js';

const SNIPPETS = [
  '您好，我是政务服务中心工作人员，请问有什么可以帮您？',
  '请稍等，我帮您查一下。',
  '您可以带上材料到政务服务中心综合窗口办理。',
  '这个问题需要转给业务部门，我帮您转过去。',
  '还有其他问题吗？没有的话我先结束本次服务。',
];
const DEPARTMENTS = ['综合窗口', '县级市场监督管理局', '公安户政', '人力资源和社会保障局', '医疗保障局', '住房公积金管理中心', '民政局', '卫生健康委员会', '教育局', '残疾人联合会', '不动产登记中心', '税务局', '烟草专卖局', '农业农村局（渔政）'];

let me = null;
let current = null;
let lastSeq = 0;
let ws = null;
let poll = null;

/** Why the server closed the live socket (code 4401): the session ended. */
const SESSION_ENDED = 4401;
const endedBecause = {
  signed_out: '已退出登录（可能是在另一个窗口），请重新登录。',
  expired: SESSION_EXPIRED,
  disabled: '这个账号已被管理员停用。如有疑问请联系管理员。',
  password: '管理员已为这个账号设置了新密码，请用新密码重新登录。',
  role_changed: '这个账号的角色已变更，请重新登录。',
};

// The session ended (a 401, signed out in another tab, the socket closed by the server): drop
// the live socket, the polling and every citizen's data on screen, and show the sign-in form.
staffSignIn({
  signIn: 'login',
  app: 'desk',
  onEnd: () => {
    me = null;
    current = null;
    const sock = ws;
    ws = null;
    sock?.close();
    clearInterval(poll);
    poll = null;
    $('who').replaceChildren();
    $('queue').replaceChildren();
    $('callbacks').replaceChildren();
    $('case').replaceChildren(el('p', { class: 'empty', text: '从左边选一个会话。新的转人工会马上出现在列表里。' }));
    $('live').textContent = '';
  },
});

const since = (iso) => {
  if (!iso) return '';
  const m = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60000));
  return m < 1 ? '刚刚' : `${m} 分钟前`;
};
const statusText = { queued: '排队中', claimed: '处理中', callback_requested: '待回电' };

/**
 * Inside Teams (the 工作台 personal tab) teams-js tells us so and who the user is: the console
 * says so, fills in the sign-in name and follows Teams' dark theme. Outside Teams nothing
 * changes; a host that never answers is given up on after a few seconds.
 *
 * teams-js is loaded only in a frame opened as the tab (the manifest's address carries
 * inTeams=1): as soon as it loads it asks Microsoft's CDN for Teams' domain list, and nothing
 * may call out from this page anywhere else.
 */
let teams = null;
const openedAsTeamsTab = () => window.parent !== window && new URLSearchParams(location.search).has('inTeams');
const loadTeamsJs = () =>
  window.microsoftTeams
    ? Promise.resolve(window.microsoftTeams)
    : new Promise((resolve) => {
        const script = document.createElement('script');
        script.src = '/vendor/teams-js.min.js';
        script.addEventListener('load', () => resolve(window.microsoftTeams ?? null));
        script.addEventListener('error', () => resolve(null));
        document.head.append(script);
      });
async function detectTeams() {
  if (!openedAsTeamsTab()) return null;
  const sdk = await loadTeamsJs();
  if (!sdk) return null;
  try {
    await Promise.race([sdk.app.initialize(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 4000))]);
    const ctx = await sdk.app.getContext();
    sdk.app.notifySuccess?.();
    return { upn: ctx.user?.userPrincipalName ?? ctx.user?.loginHint ?? '', theme: ctx.app?.theme ?? 'default' };
  } catch {
    return null;
  }
}

/** Teams single sign-on, when the organisation configured it and the Teams account is linked. */
let ssoTried = false;
async function teamsSignIn() {
  if (ssoTried) return false;
  ssoTried = true;
  try {
    const { enabled } = await api('GET', '/api/auth/teams-sso');
    if (!enabled) return false;
    const token = await window.microsoftTeams.authentication.getAuthToken();
    await api('POST', '/api/auth/teams-sso', { token });
    return true;
  } catch (err) {
    $('login-error').textContent = err.status === 403 ? err.message : '';
    return false;
  }
}

async function start() {
  if (teams === null) {
    teams = (await detectTeams()) ?? false;
    if (teams) {
      document.body.classList.add('in-teams');
      if (teams.theme === 'dark' || teams.theme === 'contrast') document.body.classList.add('dark');
    }
  }
  try {
    me = (await api('GET', '/api/auth/me')).user;
  } catch {
    $('login').hidden = false;
    $('desk').hidden = true;
    if (teams && (await teamsSignIn())) return start();
    if (teams && teams.upn) {
      $('teams-hint').hidden = false;
      $('teams-hint').textContent = `正在 Teams 中打开（${teams.upn}）。请用工作台账号登录；登录后可点「绑定 Teams」在这里接收转人工通知。`;
      if (!$('username').value) $('username').value = teams.upn.split('@')[0];
    }
    $('username').focus();
    return;
  }
  if (me.role !== 'officer' && me.role !== 'admin') {
    $('login').hidden = false;
    $('login-error').textContent = '这个账号不是工作人员账号。';
    return;
  }
  $('login').hidden = true;
  $('desk').hidden = false;
  $('who').replaceChildren(`${me.displayName}（${me.role === 'admin' ? '管理员' : '工作人员'}）`,
    el('button', { type: 'button', text: '绑定 Teams', title: '在 Teams 里接收转人工通知并接单', onclick: linkTeams }));
  await Promise.all([loadQueue(), loadCallbacks()]);
  if (!ws) connect();
  poll ??= setInterval(() => { loadQueue().catch(() => {}); loadCallbacks().catch(() => {}); }, 30000);
}

/** A one-time code the officer sends to the bot in Teams, so that new cases reach them there. */
async function linkTeams() {
  try {
    const r = await api('POST', '/api/officer/teams-link', {});
    alert(`${r.howTo}\n（10 分钟内有效，只能用一次）`);
  } catch (err) {
    if (err.status !== 401) alert(err.message);
  }
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('login-error').textContent = '';
  try {
    await api('POST', '/api/auth/login', { username: $('username').value, password: $('password').value });
    await start();
  } catch (err) {
    $('login-error').textContent = err.message;
  }
});

function selectTab(which) {
  const q = which === 'queue';
  $('tab-queue').setAttribute('aria-selected', String(q));
  $('tab-callbacks').setAttribute('aria-selected', String(!q));
  $('queue-panel').hidden = !q;
  $('callbacks-panel').hidden = q;
}
$('tab-queue').addEventListener('click', () => selectTab('queue'));
$('tab-callbacks').addEventListener('click', () => selectTab('callbacks'));

async function loadQueue(highlight) {
  const { conversations } = await api('GET', '/api/officer/queue');
  $('queue-count').textContent = String(conversations.length);
  $('queue').replaceChildren(
    ...conversations.map((c) =>
      el('li', {},
        el('button', {
          type: 'button',
          class: c.sessionId === highlight ? 'new' : '',
          'aria-current': String(current === c.sessionId),
          'data-session': c.sessionId,
          onclick: () => openCase(c.sessionId),
        },
        el('strong', { text: c.itemTitle ?? '未识别的事项' }),
        el('span', { class: `tag${c.officer === me.username ? ' mine' : ''}`, text: c.officer ? (c.officer === me.username ? '我处理中' : `${c.officer} 处理中`) : statusText[c.status] }),
        el('span', { class: 'meta', text: `${c.department} · ${since(c.waitingSince)}转人工` }))),
    ),
  );
  if (conversations.length === 0) $('queue').append(el('li', { class: 'muted', text: '　现在没有排队的会话。' }));
}

async function loadCallbacks() {
  const { callbacks } = await api('GET', '/api/officer/callbacks');
  $('callback-count').textContent = String(callbacks.length);
  $('callbacks').replaceChildren(
    ...callbacks.map((c) =>
      el('li', {},
        el('button', { type: 'button', onclick: () => openCase(c.sessionId) },
          el('strong', { text: `${c.ticket} · ${c.phone}` }),
          el('span', { class: `meta${c.overdue ? ' overdue' : ''}`, text: `${c.overdue ? '已超时 · ' : ''}应在 ${new Date(c.dueAt).toLocaleString('zh-CN')} 前回电 · ${c.itemTitle ?? c.department}` }))),
    ),
  );
  if (callbacks.length === 0) $('callbacks').append(el('li', { class: 'muted', text: '　没有待回电的登记。' }));
}

function messageNode(m) {
  const text = m.replies.map((r) => r.text ?? (r.type === 'checklist' ? `【清单】${r.title}` : r.type === 'choices' ? `${r.text}（${r.choices.map((c) => c.label).join(' / ')}）` : '')).join('\n');
  const who = { user: '群众', bot: '小助手', officer: `工作人员${m.text ? ` ${m.text}` : ''}`, system: '系统' }[m.from];
  return el('div', { class: `m ${m.from}` }, el('span', { class: 'from', text: who }), m.from === 'user' ? m.text ?? text : text);
}

async function openCase(sessionId) {
  current = sessionId;
  document.querySelectorAll('[data-session]').forEach((b) => b.setAttribute('aria-current', String(b.dataset.session === sessionId)));
  const data = await api('GET', `/api/officer/conversations/${encodeURIComponent(sessionId)}`);
  const c = data.conversation;
  lastSeq = data.messages.at(-1)?.seq ?? 0;
  // Focusable, so keyboard users can scroll it (axe: scrollable-region-focusable).
  const transcript = el('div', { class: 'transcript', id: 'transcript', 'aria-label': '对话记录', role: 'region', tabindex: '0' }, ...data.messages.map(messageNode));
  const mine = c.status === 'claimed' && (c.officer === me.username || me.role === 'admin');
  const left = el('div', { class: 'card' },
    el('h2', { text: `${c.itemTitle ?? '未识别的事项'}（${statusText[c.status] ?? c.status}）` }),
    el('p', { class: 'muted', text: `${c.department} · 转人工原因：${{ asked: '群众要求', repeated_failure: '小助手连续答不上', complaint: '投诉' }[c.reason] ?? c.reason ?? '—'} · ${since(c.waitingSince)}` }),
    transcript);
  const actions = el('div', { class: 'actions' });
  if (c.status === 'queued') actions.append(el('button', { type: 'button', class: 'primary', text: '接单', onclick: () => act('claim') }));
  let reply = null;
  if (mine) {
    const box = el('textarea', { id: 'reply-text', 'aria-label': '回复群众' });
    reply = el('div', { class: 'reply' },
      el('div', { class: 'snippets', role: 'group', 'aria-label': '常用回复' }, ...SNIPPETS.map((s) => el('button', { type: 'button', text: s.slice(0, 12) + (s.length > 12 ? '…' : ''), title: s, onclick: () => { box.value = s; box.focus(); } }))),
      box,
      el('div', { class: 'actions' }, el('button', { type: 'button', class: 'primary', id: 'send-reply', text: '发送', onclick: () => sendReply(box) })));
    box.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) sendReply(box); });
    const dept = el('select', { 'aria-label': '转办到' }, ...DEPARTMENTS.filter((d) => d !== c.department).map((d) => el('option', { value: d, text: d })));
    const note = el('input', { placeholder: '备注（转办原因 / 处理结果）', 'aria-label': '备注' });
    actions.append(
      dept, el('button', { type: 'button', text: '转办', onclick: () => act('transfer', { department: dept.value, note: note.value }) }),
      note,
      el('button', { type: 'button', text: '交还小助手', onclick: () => act('release') }),
      el('button', { type: 'button', class: 'primary', text: '结束服务', onclick: () => act('resolve', { note: note.value }) }));
  }
  if (c.status === 'callback_requested') {
    const note = el('input', { placeholder: '回电结果', 'aria-label': '回电结果' });
    actions.append(el('strong', { text: `回电 ${c.callback.phone}（编号 ${c.callback.ticket}）` }), note,
      el('button', { type: 'button', class: 'primary', text: '已回电', onclick: () => act('done', { note: note.value }, true) }),
      el('button', { type: 'button', text: '联系不上，关闭', onclick: () => act('close', { note: note.value }, true) }));
  }
  left.append(reply ?? '', actions);
  const right = el('div', { class: 'card' }, el('h2', { text: '办事情况' }));
  if (data.walkthrough) right.append(el('h3', { text: '引导中的回答' }), el('ul', {}, ...Object.entries(data.walkthrough.answers).map(([k, v]) => el('li', { text: `${k}：${v}` }))));
  if (data.checklist) right.append(el('h3', { text: '生成的清单' }), el('p', {}, el('a', { href: data.checklist.url, target: '_blank', text: data.checklist.title })), el('ul', {}, ...data.checklist.materials.map((m) => el('li', { text: m }))));
  if (data.botAnswers.length) right.append(el('h3', { text: '小助手最近的回答' }), el('ul', {}, ...data.botAnswers.map((a) => el('li', {}, a.title, el('div', { class: 'muted', text: `来源：${a.sources.map((s) => s.title).join('；')}` })))));
  if (data.unanswered.length) right.append(el('h3', { text: '小助手答不上的问题' }), el('ul', {}, ...data.unanswered.map((u) => el('li', { text: u.text }))));
  if (!data.walkthrough && !data.checklist && !data.botAnswers.length && !data.unanswered.length) right.append(el('p', { class: 'muted', text: '还没有办事记录。' }));
  $('case').replaceChildren(left, right);
  transcript.scrollTop = transcript.scrollHeight;
  if (mine) $('reply-text').focus();
}

async function act(action, body, callback = false) {
  try {
    const path = callback ? `/api/officer/callbacks/${encodeURIComponent(current)}/${action}` : `/api/officer/conversations/${encodeURIComponent(current)}/${action}`;
    await api('POST', path, body);
    await Promise.all([loadQueue(), loadCallbacks()]);
    await openCase(current);
  } catch (err) {
    if (err.status === 401) return; // the sign-in form says why
    alert(err.message);
    await loadQueue();
  }
}

async function sendReply(box) {
  const text = box.value.trim();
  if (!text) return;
  box.value = '';
  try {
    await api('POST', `/api/officer/conversations/${encodeURIComponent(current)}/messages`, { text });
  } catch (err) {
    box.value = text;
    if (err.status !== 401) alert(err.message);
  }
}

function appendMessage(m) {
  const t = $('transcript');
  if (!t || m.seq <= lastSeq) return;
  lastSeq = m.seq;
  t.append(messageNode(m));
  t.scrollTop = t.scrollHeight;
}

function notify() {
  document.title = '【新会话】一次 · 工作人员工作台';
  setTimeout(() => { document.title = '一次 · 工作人员工作台'; }, 4000);
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator();
    o.frequency.value = 880;
    o.connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.15);
  } catch { /* no sound available */ }
}

function connect() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const sock = new WebSocket(`${proto}//${location.host}/api/officer/socket`);
  ws = sock;
  sock.addEventListener('open', () => { $('live').textContent = '实时连接正常'; });
  sock.addEventListener('message', (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === 'case') {
      if (m.event?.type === 'request' || m.event?.type === 'transfer') notify();
      void loadQueue(m.event?.type === 'request' ? m.case.sessionId : undefined);
      void loadCallbacks();
      if (m.case.sessionId === current && m.event?.by !== me.username) void openCase(current);
    }
    if (m.type === 'message' && m.sessionId === current) appendMessage(m.message);
  });
  sock.addEventListener('close', (ev) => {
    if (ws !== sock) return; // closed here, on signing out
    ws = null;
    // The server ended the session (signed out elsewhere, expired, account disabled or given a new password).
    if (ev.code === SESSION_ENDED) return endSession(endedBecause[ev.reason] ?? SESSION_EXPIRED);
    $('live').textContent = '实时连接断开，正在重连…（列表每 30 秒刷新）';
    setTimeout(() => void reconnect(), 3000);
    if (current) openCase(current).catch(() => {});
  });
}

/** Back on the socket, unless the session is over (then the check's 401 shows the sign-in form). */
async function reconnect() {
  if (!me || ws) return;
  try {
    await api('GET', '/api/auth/me');
  } catch (err) {
    if (err.status === 401) return;
  }
  if (me && !ws) connect();
}

void start();
