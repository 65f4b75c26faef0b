// Officer console: queues, case card, live chat with the citizen, claim/transfer/release/resolve, call-backs.
import { $, api, el, endSession, SESSION_EXPIRED, staffSignIn } from '/common.js';

const SNIPPETS = [
  '您好，我是政务服务中心工作人员，请问有什么可以帮您？',
  '请稍等，我帮您查一下。',
  '您可以带上材料到政务服务中心综合窗口办理。',
  '这个问题需要转给业务部门，我帮您转过去。',
  '还有其他问题吗？没有的话我先结束本次服务。',
];
/** The counter departments (GET /api/departments): what 转办 offers; loaded at sign-in. */
let departments = [];

let me = null;
let current = null;
/** The session whose card is on screen (differs from `current` while a newly picked case loads). */
let shown = null;
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
const signIn = staffSignIn({
  app: 'desk',
  roles: ['officer', 'admin'],
  refused: '这个账号不是工作人员账号。',
  signInOther: async () => Boolean(teams) && teamsSignIn(),
  onForm: showTeamsHint,
  onSignedIn,
  onEnd: () => {
    me = null;
    current = null;
    shown = null;
    const sock = ws;
    ws = null;
    sock?.close();
    clearInterval(poll);
    poll = null;
    $('queue').replaceChildren();
    $('callbacks').replaceChildren();
    $('case').replaceChildren(el('p', { class: 'empty', text: '从左边选一个会话。新的转人工会马上出现在列表里。' }));
    $('live').textContent = '';
  },
});

const since = (iso) => {
  if (!iso) return '';
  const m = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60000));
  return m < 1 ? '刚刚' : m < 60 ? `${m} 分钟前` : m < 1440 ? `${Math.floor(m / 60)} 小时前` : `${Math.floor(m / 1440)} 天前`;
};
const statusText = { bot: '小助手服务中', queued: '排队中', claimed: '处理中', resolved: '已结束', callback_requested: '待回电', called_back: '已回电', closed: '已关闭' };
/** Where the citizen is talking to us: an officer's reply reaches them there. */
const channelText = { web: '网页', teams: 'Teams', wechat: '微信' };
const channelTag = (c) => (channelText[c.channel] ? el('span', { class: 'tag channel', text: channelText[c.channel] }) : '');
const actionText = { request: '转人工', claim: '接单', release: '交还小助手', resolve: '结束服务', transfer: '转办', request_callback: '登记回电', callback_done: '已回电', close: '关闭回电登记' };
const reasonText = { asked: '群众要求', repeated_failure: '小助手连续答不上', complaint: '投诉' };
const clock = (iso) => new Date(iso).toLocaleString('zh-CN', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
/** Who holds a case, by name. */
const holder = (c) => (c.officer === me.username ? '我' : (c.officerName ?? c.officer));

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

/** Inside Teams: look like Teams (asked once). */
async function joinTeams() {
  if (teams !== null) return;
  teams = (await detectTeams()) ?? false;
  if (teams) {
    document.body.classList.add('in-teams');
    if (teams.theme === 'dark' || teams.theme === 'contrast') document.body.classList.add('dark');
  }
}

/** Opened in Teams and not signed in: which Teams account this is, and the username guessed from it. */
function showTeamsHint() {
  if (!teams || !teams.upn) return;
  $('teams-hint').hidden = false;
  $('teams-hint').textContent = `正在 Teams 中打开（${teams.upn}）。请用工作台账号登录；登录后可点「绑定 Teams」在这里接收转人工通知。`;
  if (!$('username').value) $('username').value = teams.upn.split('@')[0];
}

async function onSignedIn(account) {
  me = account;
  $('teams-hint').hidden = true;
  $('who').append(el('button', { type: 'button', text: '绑定 Teams', title: '在 Teams 里接收转人工通知并接单', onclick: linkTeams }));
  await Promise.all([loadQueue(), loadCallbacks(), loadDepartments()]);
  if (!ws) connect();
  poll ??= setInterval(() => { loadQueue().catch(() => {}); loadCallbacks().catch(() => {}); }, 30000);
}

async function start() {
  await joinTeams();
  await signIn();
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
        el('span', { class: `tag${c.officer === me.username ? ' mine' : ''}`, text: c.officer ? `${holder(c)}处理中` : statusText[c.status] }),
        channelTag(c),
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

/** What the officer has typed on the open card, kept when the card is redrawn (a live update). */
function drafts() {
  const v = (id) => $(id)?.value ?? '';
  return { session: shown, reply: v('reply-text'), note: v('case-note'), department: v('transfer-to'), callbackNote: v('callback-note') };
}

/** A case's history, newest last: who did what, when, with the transfer and resolve notes. */
function historyList(history) {
  return el('ol', { class: 'history', id: 'case-history' },
    ...history.map((e) => {
      const what = e.type === 'transfer'
        ? `转办到「${e.department}」`
        : e.type === 'request'
          ? `转人工（${reasonText[e.note] ?? e.note ?? '—'}）${e.department ? ` → ${e.department}` : ''}`
          : actionText[e.type] ?? e.type;
      const note = e.type === 'request' ? '' : e.note;
      return el('li', {},
        el('span', { class: 'when', text: clock(e.at) }),
        ` ${e.byName ?? e.by} ${what}`,
        e.routedFrom ? el('span', { class: 'routed', text: `（原属「${e.routedFrom}」，暂无工作人员负责，转到综合窗口）` }) : '',
        note ? el('div', { class: 'note', text: `备注：${note}` }) : '');
    }));
}

/** The card area shows a message instead of a case (handed on, or not the officer's to see). */
function showNotice(text) {
  current = null;
  shown = null;
  document.querySelectorAll('[data-session]').forEach((b) => b.setAttribute('aria-current', 'false'));
  $('case').replaceChildren(el('p', { class: 'empty notice', id: 'case-notice', role: 'status', text }));
}

async function openCase(sessionId) {
  current = sessionId;
  clearUnread();
  document.querySelectorAll('[data-session]').forEach((b) => b.setAttribute('aria-current', String(b.dataset.session === sessionId)));
  let data;
  try {
    data = await api('GET', `/api/officer/conversations/${encodeURIComponent(sessionId)}`);
  } catch (err) {
    if (current !== sessionId) return;
    // Handed to another department (or never this officer's): say so instead of an error box.
    if (err.status === 403 || err.status === 404) showNotice(`这个会话已不在您的部门。${err.message}`);
    else showNotice(err.message);
    return;
  }
  if (current !== sessionId) return;
  // Read what is typed now, after the fetch: text typed while the case was loading is kept too.
  const kept = drafts();
  const same = kept.session === sessionId;
  const c = data.conversation;
  lastSeq = data.messages.at(-1)?.seq ?? 0;
  // Focusable, so keyboard users can scroll it (axe: scrollable-region-focusable).
  const transcript = el('div', { class: 'transcript', id: 'transcript', 'aria-label': '对话记录', role: 'region', tabindex: '0' }, ...data.messages.map(messageNode));
  const mine = c.status === 'claimed' && (c.officer === me.username || me.role === 'admin');
  const held = c.status === 'claimed' ? (c.officer === me.username ? ' · 由我处理' : ` · 由 ${holder(c)} 处理`) : '';
  const lastTransfer = [...c.history].reverse().find((e) => e.type === 'transfer');
  const left = el('div', { class: 'card conversation' },
    el('h2', { id: 'case-title', text: `${c.itemTitle ?? '未识别的事项'}（${statusText[c.status] ?? '状态未知'}${held}）` }, channelTag(c)),
    el('p', { class: 'muted', text: `${c.department} · 转人工原因：${reasonText[c.reason] ?? c.reason ?? '—'} · ${since(c.waitingSince)}` }),
    c.status === 'queued' && lastTransfer ? el('p', { class: 'transfer-note', id: 'transfer-note', text: `${lastTransfer.byName ?? lastTransfer.by} 转来${lastTransfer.note ? `：${lastTransfer.note}` : '（没有备注）'}` }) : '');
  const actions = el('div', { class: 'actions case-actions' });
  if (c.status === 'queued') actions.append(el('button', { type: 'button', class: 'primary', text: '接单', onclick: () => act('claim') }));
  let reply = null;
  if (mine) {
    const box = el('textarea', { id: 'reply-text', 'aria-label': '回复群众' });
    if (same) box.value = kept.reply;
    reply = el('div', { class: 'reply' },
      el('div', { class: 'snippets', role: 'group', 'aria-label': '常用回复' }, ...SNIPPETS.map((s) => el('button', { type: 'button', text: s.slice(0, 12) + (s.length > 12 ? '…' : ''), title: s, onclick: () => { box.value = s; box.focus(); } }))),
      el('div', { class: 'compose' }, box, el('button', { type: 'button', class: 'primary', id: 'send-reply', text: '发送', onclick: () => sendReply(box) })));
    box.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) sendReply(box); });
    const dept = el('select', { id: 'transfer-to', 'aria-label': '转办到' },
      ...departments.filter((d) => d.name !== c.department).map((d) => el('option', { value: d.name, text: d.served || d.name === '综合窗口' ? d.name : `${d.name}（暂无工作人员）`, disabled: !d.served && d.name !== '综合窗口' })));
    if (same && kept.department) dept.value = kept.department;
    const note = el('input', { id: 'case-note', placeholder: '备注（转办原因 / 处理结果）', 'aria-label': '备注' });
    if (same) note.value = kept.note;
    actions.append(
      dept, el('button', { type: 'button', text: '转办', onclick: () => act('transfer', { department: dept.value, note: note.value }) }),
      note,
      el('button', { type: 'button', text: '交还小助手', onclick: () => act('release') }),
      el('button', { type: 'button', class: 'primary', text: '结束服务', onclick: () => act('resolve', { note: note.value }) }));
  }
  if (c.status === 'callback_requested') {
    const note = el('input', { id: 'callback-note', placeholder: '回电结果', 'aria-label': '回电结果' });
    if (same) note.value = kept.callbackNote;
    actions.append(el('strong', { text: `回电 ${c.callback.phone}（编号 ${c.callback.ticket}）` }), note,
      el('button', { type: 'button', class: 'primary', text: '已回电', onclick: () => act('done', { note: note.value }, true) }),
      el('button', { type: 'button', text: '联系不上，关闭', onclick: () => act('close', { note: note.value }, true) }));
  }
  // The case's own buttons come before the conversation, so they stay in view however long it is.
  left.append(actions, el('p', { class: 'error', id: 'case-error', role: 'alert' }), transcript, reply ?? '');
  const right = el('div', { class: 'card side-info' }, el('h2', { text: '办事情况' }));
  if (c.history.length) right.append(el('h3', { text: '经过' }), historyList(c.history));
  if (data.walkthrough) right.append(el('h3', { text: '引导中的回答' }), el('ul', {}, ...Object.entries(data.walkthrough.answers).map(([k, v]) => el('li', { text: `${k}：${v}` }))));
  if (data.checklist) right.append(el('h3', { text: '生成的清单' }), el('p', {}, el('a', { href: data.checklist.url, target: '_blank', text: data.checklist.title })), el('ul', {}, ...data.checklist.materials.map((m) => el('li', { text: m }))));
  if (data.botAnswers.length) right.append(el('h3', { text: '小助手最近的回答' }), el('ul', {}, ...data.botAnswers.map((a) => el('li', {}, a.title, el('div', { class: 'muted', text: `来源：${a.sources.map((s) => s.title).join('；')}` })))));
  if (data.unanswered.length) right.append(el('h3', { text: '小助手答不上的问题' }), el('ul', {}, ...data.unanswered.map((u) => el('li', { text: u.text }))));
  if (!c.history.length && !data.walkthrough && !data.checklist && !data.botAnswers.length && !data.unanswered.length) right.append(el('p', { class: 'muted', text: '还没有办事记录。' }));
  const focused = document.activeElement?.id;
  $('case').replaceChildren(left, right);
  shown = sessionId;
  transcript.scrollTop = transcript.scrollHeight;
  if (same && focused && $(focused)) $(focused).focus();
  else if (mine && !same) $('reply-text').focus();
}

/** What the officer is told once a case has left their hands. */
const handedOn = { transfer: (b) => `已转给「${b.department}」，备注已留给接手的工作人员。`, release: () => '已交还小助手。', resolve: () => '已结束服务。' };

async function act(action, body, callback = false) {
  const sessionId = current;
  try {
    const path = callback ? `/api/officer/callbacks/${encodeURIComponent(sessionId)}/${action}` : `/api/officer/conversations/${encodeURIComponent(sessionId)}/${action}`;
    await api('POST', path, body);
  } catch (err) {
    if (err.status === 401) return; // the sign-in form says why
    if ($('case-error')) $('case-error').textContent = err.message;
    else alert(err.message);
    await loadQueue();
    return;
  }
  await Promise.all([loadQueue(), loadCallbacks()]);
  // A transferred case is another department's now: say where it went rather than show a stale card.
  if (action === 'transfer') showNotice(handedOn.transfer(body));
  else if (current === sessionId) await openCase(sessionId);
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

const TITLE = '一次 · 工作人员工作台';
let unread = 0;
let audio = null;
/** Browsers allow sound only after the page was clicked: the first click anywhere unlocks it. */
function unlockSound() {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
  } catch { /* no sound available */ }
}
function beep() {
  if (!audio || audio.state !== 'running') return;
  const o = audio.createOscillator();
  o.frequency.value = 880;
  o.connect(audio.destination);
  o.start();
  o.stop(audio.currentTime + 0.15);
}
/** The unread count stays in the title until the officer is back on the page. */
function showUnread() {
  document.title = unread > 0 ? `（${unread}）新的转人工 · ${TITLE}` : TITLE;
}
function clearUnread() {
  if (unread === 0) return;
  unread = 0;
  showUnread();
}
const notificationsOn = () => 'Notification' in window && Notification.permission === 'granted';
/** 开启桌面通知: permission is asked on the officer's click (browsers refuse it otherwise). */
function notificationButton() {
  const b = $('notify-toggle');
  if (!b) return;
  if (!('Notification' in window)) { b.hidden = true; return; }
  const p = Notification.permission;
  b.textContent = p === 'granted' ? '桌面通知已开启' : p === 'denied' ? '桌面通知被浏览器阻止' : '开启桌面通知和提示音';
  b.disabled = p !== 'default';
}
async function askNotifications() {
  unlockSound();
  try { await Notification.requestPermission(); } catch { /* an old browser */ }
  notificationButton();
}

function notify(c, event) {
  unread += 1;
  showUnread();
  beep();
  if (notificationsOn() && (document.visibilityState !== 'visible' || !document.hasFocus())) {
    const what = event.type === 'transfer' ? `转办到「${c.department}」${event.note ? `：${event.note}` : ''}` : `部门：${c.department}`;
    const n = new Notification('新的转人工', { body: what, tag: c.sessionId });
    n.addEventListener('click', () => { window.focus(); void openCase(c.sessionId); n.close(); });
  }
}
window.addEventListener('focus', clearUnread);
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible' && document.hasFocus()) clearUnread(); });
document.addEventListener('pointerdown', () => { unlockSound(); clearUnread(); });
document.addEventListener('keydown', () => { unlockSound(); clearUnread(); });
$('notify-toggle')?.addEventListener('click', () => void askNotifications());
notificationButton();

/** The counter departments for 转办; for an admin, a warning when cases arrive for a department nobody serves. */
async function loadDepartments() {
  departments = (await api('GET', '/api/departments')).departments;
  if (me.role !== 'admin') return;
  const a = await api('GET', '/api/admin/departments');
  const dayAgo = Date.now() - 24 * 3600_000;
  const recent = a.warnings.filter((w) => Date.parse(w.at) > dayAgo);
  const box = $('dept-warning');
  if (!recent.length) { box.hidden = true; return; }
  const names = [...new Set(recent.map((w) => w.department))];
  box.hidden = false;
  box.replaceChildren(
    el('strong', { text: `没有工作人员负责：${names.join('、')}` }),
    el('span', { text: `最近 24 小时有 ${recent.length} 个会话因此转到了综合窗口或转办不成（最近一次：${recent[0].itemTitle ?? '未识别的事项'}，${clock(recent[0].at)}）。请在账号管理中给工作人员分配这些部门。` }));
}

function connect() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const sock = new WebSocket(`${proto}//${location.host}/api/officer/socket`);
  ws = sock;
  sock.addEventListener('open', () => { $('live').textContent = '实时连接正常'; });
  sock.addEventListener('message', (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === 'case') {
      const arrived = (m.event?.type === 'request' || m.event?.type === 'transfer') && m.case.status === 'queued';
      if (arrived) notify(m.case, m.event);
      void loadQueue(arrived ? m.case.sessionId : undefined);
      void loadCallbacks();
      if (me.role === 'admin' && m.event?.routedFrom) void loadDepartments();
      // Another tab of the same officer, or a colleague, changed the open case: show it as it is now.
      if (m.case.sessionId === current) void openCase(current);
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
