// Yici web chat: websocket first, POST /api/chat as fallback, transcript route to catch up.
import { $, el } from '/common.js';

const SOCKET_PATH = '/api/web/socket';
const log = $('log');
const input = $('input');
const form = $('composer');
const send = $('send');
const typing = $('typing');
const status = $('status');

// A conversation is its random id plus the key the server issues with the first reply; both are
// kept together so that a reload resumes the conversation. Without a key there is nothing to
// resume, so a fresh id is drawn. crypto.getRandomValues works on plain HTTP too.
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const newId = () => Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => ID_ALPHABET[b & 63]).join('');
const STORE = 'yici.conversation';
const saved = (() => {
  try {
    const c = JSON.parse(localStorage.getItem(STORE) || 'null');
    return c && typeof c.id === 'string' && typeof c.key === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(c.id) ? c : null;
  } catch { return null; }
})();
let sessionId = saved ? saved.id : newId();
let sessionKey = saved ? saved.key : null;
localStorage.removeItem('yici.session'); // the id-only entry of earlier versions
const remember = () => {
  if (sessionKey) localStorage.setItem(STORE, JSON.stringify({ id: sessionId, key: sessionKey }));
  else localStorage.removeItem(STORE);
};
/** Headers of a request about this conversation: JSON, and its key once issued. */
const headers = (json) => ({ ...(json ? { 'content-type': 'application/json' } : {}), ...(sessionKey ? { 'x-session-key': sessionKey } : {}) });
/** The first reply of a conversation carries its key. */
const keep = (body) => {
  if (body && typeof body.sessionKey === 'string' && body.sessionId === sessionId) {
    sessionKey = body.sessionKey;
    remember();
  }
};
let lastSeq = 0;
let ws = null;
let wsOpen = false;
let retry = 0;
// Set when the page closes the socket itself (新对话): the reconnect that follows is no outage.
let closingOnPurpose = false;
let waiting = 0;
// The message sent over the socket and not answered yet: resent over REST if the socket drops.
let unanswered = null;
// A message typed while the last one is being answered: kept in the box and sent once the answer is in.
let sendWhenFree = false;
// A button clicked while the last message is being answered: pressed once the answer is in (the last click wins).
let choiceWhenFree = null;

const scroll = () => { log.scrollTop = log.scrollHeight; };

function renderCard(card) {
  const box = el('article', { class: 'card', 'aria-label': card.title });
  box.append(el('h2', { text: card.title }), el('p', { class: 'summary', text: card.summary }));
  for (const s of card.sections) {
    const sec = el('section');
    sec.append(el('h3', { text: s.heading }));
    const list = el(s.lines.every((l) => /^\d+\./.test(l)) ? 'ol' : 'ul');
    for (const line of s.lines) list.append(el('li', { text: line.replace(/^\d+\.\s*/, '') }));
    sec.append(list);
    box.append(sec);
  }
  // Legal basis and sources sit in a fold: open normally, closed in 大字模式 so the answer itself comes first.
  const basis = el('details', { class: 'basis' });
  if (!document.body.classList.contains('large')) basis.setAttribute('open', '');
  basis.append(el('summary', { text: '依据和来源' }));
  if (card.legalBasis.length) basis.append(el('div', { class: 'law', text: `依据：${card.legalBasis.join('；')}` }));
  const src = el('div', { class: 'src' });
  src.append('来源：');
  card.sources.forEach((s, i) => {
    if (i) src.append('；');
    if (s.url) src.append(el('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer', text: s.title }));
    else src.append(s.title);
  });
  const checked = card.lastVerified || card.sources.map((s) => s.checked).sort().pop();
  src.append(`（${card.verified ? '核实' : '资料核对'}日期 ${checked}）`);
  basis.append(src);
  box.append(basis);
  if (card.caution) box.append(el('p', { class: 'caution', role: 'note', text: `⚠ ${card.caution}` }));
  return box;
}

/** 有帮助 / 没看懂: once either is sent both are done; 流程走不通？ stays open (it is a separate report). */
async function sendFeedback(seq, helpful, bar, buttons) {
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const res = await fetch('/api/feedback', {
      method: 'POST',
      headers: headers(true),
      body: JSON.stringify({ sessionId, seq, helpful }),
    });
    bar.querySelector('.thanks').textContent = res.ok ? '谢谢您的反馈！' : '反馈没有送达，请稍后再试。';
  } catch {
    bar.querySelector('.thanks').textContent = '网络不太稳定，反馈没有送达。';
  }
}

const REASONS = [
  ['form_unclear', '表格看不懂'],
  ['material_unclear', '材料说不清'],
  ['steps_disconnected', '环节接不上'],
  ['window_refused', '窗口说法不一样'],
  ['online_failed', '网上办不了'],
  ['other', '其他'],
];

/** 「流程走不通」: where the process got stuck, sent to the editors with a reason. */
function processForm(anchor) {
  if (anchor.nextSibling?.classList?.contains('stuck')) return;
  const select = el('select', { 'aria-label': '哪里走不通' }, ...REASONS.map(([v, l]) => el('option', { value: v, text: l })));
  const text = el('input', { placeholder: '说说具体哪一步卡住了（可不填）', 'aria-label': '具体情况', maxlength: '300' });
  const note = el('span', { class: 'thanks', 'aria-live': 'polite' });
  const send = el('button', { type: 'button', class: 'fb', text: '提交' });
  const form = el('div', { class: 'feedback stuck', role: 'group', 'aria-label': '流程走不通' }, select, text, send, note);
  send.addEventListener('click', async () => {
    send.disabled = true;
    const res = await fetch('/api/feedback/process', { method: 'POST', headers: headers(true), body: JSON.stringify({ sessionId, reason: select.value, text: text.value }) }).catch(() => null);
    note.textContent = res && res.ok ? '已记下，谢谢！工作人员会据此改进。' : '没有送达，请稍后再试。';
  });
  anchor.after(form);
  select.focus();
}

function feedbackBar(seq) {
  const bar = el('div', { class: 'feedback', role: 'group', 'aria-label': '这个回答对您有帮助吗' });
  const yes = el('button', { type: 'button', class: 'fb', text: '有帮助' });
  const no = el('button', { type: 'button', class: 'fb', text: '没看懂' });
  yes.addEventListener('click', () => sendFeedback(seq, true, bar, [yes, no]));
  no.addEventListener('click', () => sendFeedback(seq, false, bar, [yes, no]));
  const stuck = el('button', { type: 'button', class: 'fb', text: '流程走不通？' });
  stuck.addEventListener('click', () => processForm(bar));
  bar.append(yes, no, stuck, el('span', { class: 'thanks', 'aria-live': 'polite' }));
  return bar;
}

function renderChecklist(r) {
  const box = el('article', { class: 'card checklist', 'aria-label': r.title });
  box.append(el('h2', { text: r.title }));
  const list = el('ul');
  for (const m of r.materials) {
    const counts = [m.originals ? `原件${m.originals}份` : '', m.copies ? `复印件${m.copies}份` : ''].filter(Boolean).join('、');
    const li = el('li', { text: `${m.name}${counts ? `（${counts}）` : ''}` });
    if (m.usedBy && m.usedBy.length > 1) li.append(el('span', { class: 'used', text: ` · ${m.usedBy.length}个事项共用` }));
    if (m.note) li.append(el('div', { class: 'mnote', text: m.note }));
    list.append(li);
  }
  box.append(el('section', {}, list));
  const open = el('a', { href: r.url, class: 'open', target: '_blank', rel: 'noopener', text: '打开清单（可打印、扫码保存）' });
  box.append(el('p', { class: 'open-row' }, open));
  return box;
}

function renderReplies(from, replies, seq) {
  if (!replies || replies.length === 0) return; // e.g. a message that went to the officer
  const wrap = el('div', { class: `msg ${from}` });
  if (from === 'officer') wrap.append(el('span', { class: 'who', text: '工作人员' }));
  for (const r of replies) {
    if (r.type === 'text' && r.card) wrap.append(renderCard(r.card));
    else if (r.type === 'text') wrap.append(el('div', { class: 'bubble', text: r.text }));
    else if (r.type === 'handoff') wrap.append(el('div', { class: 'bubble handoff', text: r.text }));
    else if (r.type === 'choices') {
      const group = el('div', { class: 'choices', role: 'group', 'aria-label': r.text });
      group.append(el('p', { text: r.text }));
      for (const c of r.choices) {
        const b = el('button', { type: 'button', class: 'choice', text: c.label });
        b.addEventListener('click', () => whenFree(() => {
          group.classList.add('used');
          b.setAttribute('aria-pressed', 'true');
          submit({ choice: c.value }, c.label);
        }));
        group.append(b);
      }
      wrap.append(group);
    } else if (r.type === 'checklist') {
      wrap.append(renderChecklist(r));
    }
  }
  if (from === 'bot' && seq && replies.some((r) => (r.type === 'text' && r.card) || r.type === 'checklist')) {
    wrap.append(feedbackBar(seq));
  }
  log.append(wrap);
  scroll();
}

// User messages shown here before the server numbered them; a catch-up must not show them twice.
let localEcho = 0;
const showUser = (text) => {
  localEcho++;
  renderReplies('user', [{ type: 'text', text }]);
};
const showError = (text) => {
  const w = el('div', { class: 'msg bot error' }, el('div', { class: 'bubble', text }));
  log.append(w);
  scroll();
};

function busy(on) {
  waiting = Math.max(0, waiting + (on ? 1 : -1));
  typing.hidden = waiting === 0;
  send.disabled = waiting > 0;
  if (waiting === 0 && sendWhenFree) {
    sendWhenFree = false;
    if (status.textContent === NEXT_WAITS) status.textContent = '';
    setTimeout(() => form.requestSubmit(), 0);
  } else if (waiting === 0 && choiceWhenFree) {
    const press = choiceWhenFree;
    choiceWhenFree = null;
    if (status.textContent === NEXT_WAITS) status.textContent = '';
    setTimeout(press, 0);
  }
}

/** Presses a button now, or — while the last message is being answered — once the answer is in. */
function whenFree(press) {
  if (!waiting) { press(); return; }
  choiceWhenFree = press;
  status.textContent = NEXT_WAITS;
}
const NEXT_WAITS = '上一条正在回复，回复后自动发出这一条。';

function accept(seq, from, replies) {
  if (seq && seq <= lastSeq) return; // already shown (a catch-up and a socket both delivered it)
  if (seq) lastSeq = seq;
  if (from === 'bot' && localEcho > 0) localEcho--;
  renderReplies(from, replies, seq);
}

async function submit(payload, shown) {
  if (waiting) return;
  showUser(shown);
  busy(true);
  if (wsOpen) {
    unanswered = { payload, seqBefore: lastSeq };
    ws.send(JSON.stringify({ type: 'message', user: sessionId, ...(sessionKey ? { key: sessionKey } : {}), ...payload }));
    return;
  }
  await sendRest(payload);
}

async function sendRest(payload) {
  const conversation = sessionId;
  try {
    const res = await fetch('/api/chat', {
      method: 'POST',
      headers: headers(true),
      body: JSON.stringify({ sessionId, ...payload }),
    });
    const body = await res.json();
    if (conversation !== sessionId) return; // 新对话 was started meanwhile: the answer belongs to the old one
    if (res.status === 403) lost();
    else if (!res.ok) showError(body.error ? body.error.message : '发送失败，请重试。');
    else { keep(body); accept(body.seq, 'bot', body.replies); }
  } catch {
    showError('网络不太稳定，消息没有发出去，请稍后重试。');
  } finally {
    busy(false);
  }
}

async function catchUp() {
  if (!sessionKey) return; // nothing sent yet: no transcript to catch up on
  try {
    const res = await fetch(`/api/chat/${encodeURIComponent(sessionId)}/messages?after=${lastSeq}`, { headers: headers(false) });
    if (res.status === 403) { lost(); return; }
    if (!res.ok) return;
    const { messages } = await res.json();
    for (const m of messages) {
      if (m.seq <= lastSeq) continue;
      if (m.from === 'user') {
        lastSeq = m.seq;
        if (localEcho > 0) continue; // already on screen; the bot reply that follows settles the count
        renderReplies('user', [{ type: 'text', text: m.text || '' }]);
      }
      else accept(m.seq, m.from, m.replies);
    }
  } catch { /* offline: the next reconnect tries again */ }
}

function connect() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  try { ws = new WebSocket(`${proto}//${location.host}${SOCKET_PATH}`); } catch { return; }
  ws.addEventListener('open', () => {
    wsOpen = true;
    retry = 0;
    status.textContent = '';
    // Bind this socket to the conversation (by its key) so the server can deliver messages to it.
    if (sessionKey) ws.send(JSON.stringify({ type: 'hello', user: sessionId, key: sessionKey }));
    void catchUp();
  });
  ws.addEventListener('message', (ev) => {
    let m;
    try { m = JSON.parse(ev.data); } catch { return; }
    if (m.error && m.error.code === 'session_forbidden') { busy(false); unanswered = null; lost(); return; }
    if (m.error) { busy(false); showError(m.error.message); return; }
    if (!m.replies) return;
    keep(m);
    if (m.from !== 'officer' && m.from !== 'system') { busy(false); unanswered = null; }
    accept(m.seq, m.from || 'bot', m.replies);
  });
  ws.addEventListener('close', () => {
    const was = wsOpen;
    wsOpen = false;
    if (closingOnPurpose) {
      // A new conversation: nothing of the old one is resent, and the socket comes back at once.
      closingOnPurpose = false;
      retry = 0;
      setTimeout(connect, 0);
      return;
    }
    if (waiting && unanswered) {
      // Catch up first: if the server answered, the reply is in the transcript; if not, resend over REST.
      const pending = unanswered;
      unanswered = null;
      void catchUp().then(() => (lastSeq > pending.seqBefore ? busy(false) : sendRest(pending.payload)));
    } else if (waiting) busy(false);
    if (was) status.textContent = '连接已断开，正在重新连接…（仍可继续发送）';
    const delay = Math.min(15000, 1000 * 2 ** retry++);
    setTimeout(connect, delay);
  });
}

function welcome() {
  renderReplies('bot', [
    { type: 'text', text: '您好！我是梧州政务服务小助手“一次”。想办什么事，直接问我就行：要带什么材料、去哪里办、多久办好、收不收费，我尽量一次说清楚。' },
    {
      type: 'choices',
      text: '大家常问：',
      choices: [
        { label: '个体户营业执照怎么办', value: '' },
        { label: '开小卖部要办哪些证', value: '' },
        { label: '新生儿怎么上户口', value: '' },
        { label: '社保卡丢了怎么补', value: '' },
      ],
    },
  ]);
  // Suggestions are sent as typed text.
  log.querySelectorAll('.choice').forEach((b) => {
    const clone = b.cloneNode(true);
    clone.addEventListener('click', () => whenFree(() => submit({ text: clone.textContent }, clone.textContent)));
    b.replaceWith(clone);
  });
}

// The server's limit on one message (config.maxMessageLength). The box has no maxlength: a browser
// would cut a long paste without a word, so the whole text stays and the citizen is told instead.
const MAX_LENGTH = 500;
const count = $('count');
/** Shows how much room is left near the limit, and by how much a message is too long; true when it fits. */
function showLength() {
  const n = input.value.trim().length;
  const over = n > MAX_LENGTH;
  input.setAttribute('aria-invalid', String(over));
  count.classList.toggle('over', over);
  count.textContent = over
    ? `消息最多 ${MAX_LENGTH} 字，现在有 ${n} 字，超出 ${n - MAX_LENGTH} 字。请删减后再发送，或分几次问。`
    : n >= MAX_LENGTH - 100 ? `${n}/${MAX_LENGTH} 字` : '';
  return !over;
}
input.addEventListener('input', showLength);

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) { input.focus(); return; }
  if (!showLength()) { input.focus(); return; } // refused, and the text is kept to shorten
  if (waiting) {
    // Never dropped: it stays in the box and goes out after the answer to the last one.
    sendWhenFree = true;
    status.textContent = NEXT_WAITS;
    input.focus();
    return;
  }
  input.value = '';
  showLength();
  void submit({ text }, text);
  input.focus();
});
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
});

const large = $('large');
const setLarge = (on) => {
  document.body.classList.toggle('large', on);
  large.setAttribute('aria-pressed', String(on));
  localStorage.setItem('yici.large', on ? '1' : '0');
};
large.addEventListener('click', () => setLarge(!document.body.classList.contains('large')));
setLarge(localStorage.getItem('yici.large') === '1');

// The end-of-conversation rating: 好 / 中 / 差 with an optional comment.
$('rate').addEventListener('click', () => {
  if (document.querySelector('.rating')) { document.querySelector('.rating select, .rating button')?.focus(); return; }
  const comment = el('input', { placeholder: '还有什么想说的（可不填）', 'aria-label': '意见', maxlength: '300' });
  const note = el('span', { class: 'thanks', 'aria-live': 'polite' });
  const buttons = [['good', '好'], ['fair', '中'], ['poor', '差']].map(([v, l]) => {
    const b = el('button', { type: 'button', class: 'choice', text: l });
    b.addEventListener('click', async () => {
      buttons.forEach((x) => { x.disabled = true; });
      if (!sessionKey) { note.textContent = '先问个问题，再来评价吧。'; buttons.forEach((x) => { x.disabled = false; }); return; }
      const res = await fetch('/api/feedback/rating', { method: 'POST', headers: headers(true), body: JSON.stringify({ sessionId, rating: v, comment: comment.value || undefined }) }).catch(() => null);
      note.textContent = res && res.ok ? '谢谢您的评价！' : '没有送达，请稍后再试。';
    });
    return b;
  });
  const card = el('div', { class: 'msg bot rating' }, el('div', { class: 'bubble' }, '您觉得这次服务怎么样？'), el('div', { class: 'choices', role: 'group', 'aria-label': '评价' }, ...buttons), comment, note);
  log.append(card);
  scroll();
  buttons[0].focus();
});

/** A new conversation: a fresh id, no key until the server issues one. */
function startOver() {
  sessionId = newId();
  sessionKey = null;
  remember();
  lastSeq = 0;
  localEcho = 0;
  log.replaceChildren();
  welcome();
  // The old conversation's unanswered message belongs to it: it is not resent into the new one.
  unanswered = null;
  sendWhenFree = false;
  choiceWhenFree = null;
  waiting = 0;
  typing.hidden = true;
  send.disabled = false;
  if (ws && ws.readyState <= WebSocket.OPEN) {
    // Closed on purpose so the next socket is bound to the new conversation: no 「连接已断开」.
    closingOnPurpose = true;
    ws.close();
  }
}

/** The server no longer accepts this conversation's key (e.g. its records were removed): start afresh. */
function lost() {
  if (!sessionKey) return; // already started afresh (the page and the socket may both notice)
  startOver();
  showError('原来的对话已经失效，已为您开始新的对话，请重新输入您的问题。');
}

$('restart').addEventListener('click', () => {
  startOver();
  input.focus();
});

welcome();
void catchUp();
connect();
// The box is disabled in the page until this script runs, so nothing typed before it is lost.
input.disabled = false;
send.disabled = waiting > 0;
input.placeholder = '您要办什么事？';
