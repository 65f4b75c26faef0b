// Knowledge editor: find, edit (form or raw YAML), validate live, try questions, draft; review and approve; history and rollback; to-do; inbox; dashboard.
import { $, api, el, staffSignIn } from '/common.js';

// The yaml package's browser build, served from the installed package: entries are shown and
// edited as YAML, like their files under knowledge/.
let YAML = null;
const yamlReady = import('/vendor/yaml/index.js').then((m) => (YAML = m)).catch(() => null);
const toText = (x) => (YAML ? YAML.stringify(x, { lineWidth: 0 }) : JSON.stringify(x, null, 2));
const kinds = { item: '事项', bundle: '一件事', faq: '问答', policy: '政策' };
let me = null;
let entries = [];
let editing = null; // { entry, base, saved }: saved is the entry as last loaded or saved as a draft (JSON), null for a new one

/** Would leaving the entry now lose something typed? (YAML typed but not yet applied counts.) */
function unsaved() {
  if (!editing) return false;
  if (rawTimer || rawError) return true;
  return JSON.stringify(editing.entry) !== editing.saved;
}
/** Asks before an edit is dropped; true when there is nothing to lose or the editor agrees. */
function mayLeave() {
  return !unsaved() || window.confirm('当前条目有未保存的修改，离开后这些修改会丢失。确定要离开吗？（要保留请先「保存草稿」）');
}
window.addEventListener('beforeunload', (ev) => {
  if (unsaved()) ev.preventDefault();
});

// ---- tabs ----
document.querySelectorAll('[data-tab]').forEach((b) =>
  b.addEventListener('click', () => {
    document.querySelectorAll('[data-tab]').forEach((x) => x.setAttribute('aria-selected', String(x === b)));
    document.querySelectorAll('.pane').forEach((p) => { p.hidden = p.id !== `tab-${b.dataset.tab}`; });
    ({ drafts: loadDrafts, todo: loadTodo, inbox: loadInbox, dashboard: loadDashboard }[b.dataset.tab] ?? (() => {}))();
  }),
);

// ---- entries ----
async function loadEntries() {
  entries = (await api('GET', '/api/kb/entries')).entries;
  renderList();
}
function renderList() {
  const q = $('search').value.trim().toLowerCase();
  // Titles first, then ids, then aliases; items and bundles before FAQs.
  const rank = (e) => (e.title.includes(q) ? 0 : e.id.includes(q) ? 1 : 2) * 10 + (e.kind === 'faq' ? 1 : 0);
  const hits = entries
    .filter((e) => !q || e.title.includes(q) || e.id.includes(q) || e.aliases.some((a) => a.includes(q)))
    .sort((x, y) => rank(x) - rank(y))
    .slice(0, 80);
  $('entry-list').replaceChildren(...hits.map((e) => el('li', {}, el('button', { type: 'button', onclick: () => openEntry(e.id) }, el('strong', { text: e.title }), el('span', { class: 'meta', text: `${kinds[e.kind]} · ${e.id}${e.inEffect ? '' : ' · 已失效'}${e.verified ? '' : ' · 有未核实内容'}` })))));
}
$('search').addEventListener('input', renderList);

const list = (v) => v.split(/[,，、\n]/).map((x) => x.trim()).filter(Boolean);

// Whether the raw YAML is unfolded; kept while the form re-renders.
let rawOpen = false;
// The form and the raw YAML show one entry, editing.entry: a form edit rewrites the YAML at once, and
// YAML that parses replaces the entry and redraws the form. While the YAML does not parse, the form is
// locked (its edits would be overwritten by the YAML once fixed) and no draft is saved; nothing typed
// in either is dropped.
let rawError = null;
let rawTimer = null;
/** Opens an entry for editing; the one already open is kept as it is unless `reload` (after a rollback). */
async function openEntry(id, prefill, reload = false) {
  if (editing?.base?.id === id && !prefill && !reload) return;
  if (!mayLeave()) return;
  await yamlReady;
  const { entry } = await api('GET', `/api/kb/entries/${id}`);
  const draft = structuredClone(entry);
  if (prefill?.alias && !draft.aliases.includes(prefill.alias)) draft.aliases.push(prefill.alias);
  clearTimeout(rawTimer);
  rawTimer = null;
  rawError = null;
  editing = { entry: draft, base: entry, saved: JSON.stringify(entry) };
  renderEditor();
}

/** After an edit in the form: the YAML shows the same entry. */
function formChanged() {
  const raw = $('raw');
  if (raw) raw.value = toText(editing.entry);
  scheduleCheck();
}

/** Parses the raw YAML; when it parses, it becomes the entry and the form follows. */
function applyRaw() {
  clearTimeout(rawTimer);
  rawTimer = null;
  const raw = $('raw');
  if (!raw) return;
  const format = YAML ? 'YAML' : 'JSON';
  try {
    const parsed = YAML ? YAML.parse(raw.value) : JSON.parse(raw.value);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    rawError = null;
    editing.entry = parsed;
    renderForm();
    scheduleCheck();
  } catch (err) {
    const line = err?.linePos ? `（第 ${err.linePos[0].line} 行）` : '';
    rawError = `${format} 格式不对，改好再试${line}。改好之前上面的表单不能修改，也不能保存草稿；您的修改都还在。`;
    renderForm();
    check(false);
  }
}

/** One text field of the entry (or of an object in it, `within`: fees, timeLimit). */
function field(label, key, opts = {}) {
  const e = editing.entry;
  const holder = opts.within ? e[opts.within] : e;
  const value = Array.isArray(holder[key]) ? holder[key].join('，') : (holder[key] ?? '');
  const input = opts.long ? el('textarea', { 'data-key': opts.within ? `${opts.within}.${key}` : key }) : el('input', { 'data-key': opts.within ? `${opts.within}.${key}` : key, type: opts.type ?? 'text', ...(opts.type === 'number' ? { min: '0', step: 'any' } : {}) });
  input.value = String(value);
  input.addEventListener('input', () => {
    if (Array.isArray(holder[key]) || opts.list) holder[key] = list(input.value);
    else if (input.value === '' && opts.optional) delete holder[key];
    else if (opts.type === 'number') holder[key] = Number(input.value);
    else holder[key] = input.value;
    formChanged();
  });
  return el('label', { class: opts.wide ? 'wide' : '' }, label, input);
}

/** 收费: free or not, and what to tell citizens. */
function feeFields(e) {
  const free = el('input', { type: 'checkbox', 'data-key': 'fees.free' });
  free.checked = e.fees.free === true;
  free.addEventListener('change', () => { e.fees.free = free.checked; formChanged(); });
  return el('fieldset', { class: 'wide group' }, el('legend', { text: '收费' }),
    el('label', { class: 'check' }, free, ' 不收费'),
    field('收费说明（群众看到的原话，例如「不收费。」或收费标准和依据）', 'text', { within: 'fees', wide: true }));
}

/** 办理时限: promised and statutory, and the promised working days a bundle adds up. */
function timeFields() {
  return el('fieldset', { class: 'wide group' }, el('legend', { text: '办理时限' }),
    el('div', { class: 'fields' },
      field('承诺时限', 'promised', { within: 'timeLimit', optional: true }),
      field('法定时限', 'statutory', { within: 'timeLimit', optional: true }),
      field('承诺办结工作日（数字，用来合计一件事的总时间）', 'promisedWorkingDays', { within: 'timeLimit', optional: true, type: 'number' }),
      field('时限说明', 'note', { within: 'timeLimit', optional: true })));
}

function materialsTable(e) {
  return el('div', { class: 'wide' }, el('h3', { text: '材料' }),
    el('table', { class: 'grid' },
      el('thead', {}, el('tr', {}, ...['名称', '原件', '复印件', '同一份材料的编号（ref）', '什么情况下需要', '备注', ''].map((t) => el('th', { scope: 'col', text: t })))),
      el('tbody', {}, ...e.materials.map((m, i) => {
        const cell = (key, type = 'text') => {
          const input = el('input', { type, 'aria-label': `材料${i + 1} ${key}` });
          input.value = m[key] ?? '';
          input.addEventListener('input', () => {
            if (type === 'number') m[key] = Number(input.value);
            else if (input.value === '') delete m[key];
            else m[key] = input.value;
            formChanged();
          });
          return el('td', {}, input);
        };
        return el('tr', {}, cell('name'), cell('originals', 'number'), cell('copies', 'number'), cell('ref'), cell('when'), cell('note'),
          el('td', {}, el('button', { type: 'button', text: '删除', onclick: () => { e.materials.splice(i, 1); renderForm(); formChanged(); } })));
      }))),
    el('button', { type: 'button', text: '加一行材料', onclick: () => { e.materials.push({ name: '', originals: 1, copies: 0 }); renderForm(); formChanged(); } }),
    el('p', { id: 'uses', class: 'muted', text: editing.uses ?? '' }));
}

/** The form part of the editor, redrawn from editing.entry (the raw YAML stays as it is). */
function renderForm() {
  const e = editing.entry;
  const verified = el('input', { type: 'checkbox' });
  verified.checked = e.verified === true;
  verified.addEventListener('change', () => { e.verified = verified.checked; formChanged(); });
  const hasFees = e.fees && typeof e.fees === 'object' && !Array.isArray(e.fees);
  const hasTime = e.timeLimit && typeof e.timeLimit === 'object' && !Array.isArray(e.timeLimit);
  $('editor-title').textContent = `${e.title ?? ''}（${kinds[e.kind] ?? e.kind} · ${e.id ?? ''}）`;
  $('form').disabled = rawError !== null;
  $('form').replaceChildren(
    ...(rawError ? [el('p', { class: 'problems wide', role: 'alert', text: '完整内容（YAML）里有格式错误：改好之前表单不能修改。' })] : []),
    el('div', { class: 'fields' },
      field('正式名称', 'title', { wide: true }),
      field('别名（逗号分开）', 'aliases', { wide: true, list: true }),
      field('关键词（逗号分开）', 'keywords', { wide: true, list: true }),
      e.kind === 'faq' ? field('解答', 'answer', { long: true, wide: true }) : field('白话说明', 'summary', { long: true, wide: true }),
      field(e.kind === 'item' ? '实施部门' : '实施部门（可不填）', 'department', { wide: true, optional: true }),
      hasFees ? feeFields(e) : null,
      hasTime ? timeFields() : null,
      field('核实日期', 'lastVerified', { type: 'date', optional: true }),
      field('生效日期', 'effectiveFrom', { type: 'date', optional: true }),
      field('失效日期', 'expiresOn', { type: 'date', optional: true }),
      el('label', { class: 'check' }, verified, ' 核心事实已核实'),
      Array.isArray(e.materials) ? materialsTable(e) : null));
}

function renderEditor() {
  const e = editing.entry;
  rawError = null;
  const format = YAML ? 'YAML' : 'JSON';
  const raw = el('textarea', { id: 'raw', class: 'wide', rows: 16, spellcheck: 'false', 'aria-label': `条目的完整内容（${format}）` });
  raw.value = toText(e);
  raw.addEventListener('input', () => { clearTimeout(rawTimer); rawTimer = setTimeout(applyRaw, 350); });
  raw.addEventListener('change', applyRaw);
  const questions = el('textarea', { id: 'try', placeholder: '每行一个群众可能的问法，看看改动前后排在第一的条目', 'aria-label': '试问' });
  const note = el('input', { id: 'note', placeholder: '改了什么、为什么（审核人会看到）', 'aria-label': '修改说明' });
  $('editor').replaceChildren(
    el('h2', { id: 'editor-title' }),
    el('fieldset', { id: 'form', class: 'form' }),
    el('details', { class: 'wide', open: rawOpen, ontoggle: (ev) => { rawOpen = ev.target.open; } },
      el('summary', { text: `完整内容（${format}，可直接修改；和上面的表单同步）` }), raw),
    el('div', { id: 'check', 'aria-live': 'polite' }),
    el('h3', { text: '试问' }), questions,
    el('div', { class: 'row' },
      el('button', { type: 'button', text: '试一试', onclick: () => check(true) }),
      note,
      el('button', { type: 'button', class: 'primary', id: 'save-draft', text: '保存为草稿，请人审核', onclick: saveDraft }),
      el('button', { type: 'button', text: '历史版本', onclick: showHistory })),
    el('div', { id: 'try-results' }),
    el('div', { id: 'history' }));
  renderForm();
  if (e.kind === 'item') api('GET', `/api/kb/entries/${e.id}/uses`).then((u) => {
    const parts = [...u.bundles.map((b) => `一件事「${b.title}」`), ...u.flows.map((f) => `引导「${f.title}」`)];
    editing.uses = parts.length ? `改材料会影响：${parts.join('、')}` : '没有一件事或引导用到这个事项。';
    if ($('uses')) $('uses').textContent = editing.uses;
  }).catch(() => {});
  scheduleCheck();
}

let timer = null;
let checks = 0;
const scheduleCheck = () => { clearTimeout(timer); timer = setTimeout(() => check(false), 400); };
async function check(withQuestions) {
  if (rawError) {
    $('check').replaceChildren(el('p', { class: 'problems', text: rawError }));
    return;
  }
  const qs = withQuestions ? $('try').value.split('\n').map((x) => x.trim()).filter(Boolean) : [];
  const mine = ++checks;
  const r = await api('POST', '/api/kb/preview', { entry: editing.entry, questions: qs }).catch((err) => ({ ok: false, problems: [{ field: '', problem: err.message }] }));
  // A later check has started (the entry changed again), or the YAML broke meanwhile: this answer is stale.
  if (mine !== checks || rawError) return;
  $('check').replaceChildren(r.ok ? el('p', { class: 'ok', text: '✓ 校验通过' }) : el('ul', { class: 'problems' }, ...r.problems.map((p) => el('li', { text: `${p.field}：${p.problem}` }))));
  if (withQuestions && r.ok) {
    $('try-results').replaceChildren(el('table', { class: 'grid' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: '问法' }), el('th', { scope: 'col', text: '现在排第一' }), el('th', { scope: 'col', text: '改动后排第一' }))),
      el('tbody', {}, ...r.results.map((x) => el('tr', {}, el('td', { text: x.question }),
        el('td', { text: x.before[0] ? `${x.before[0].title}（${x.before[0].score}）` : '—' }),
        el('td', { text: x.after[0] ? `${x.after[0].title}（${x.after[0].score}）` : '—' }))))));
  }
}

async function saveDraft() {
  // Typed YAML not yet parsed (the pause before it is applied) counts too.
  if ($('raw') && rawTimer) applyRaw();
  if (rawError) {
    $('check').replaceChildren(el('p', { class: 'problems', text: `没有保存：${rawError}` }));
    return;
  }
  try {
    const saving = JSON.stringify(editing.entry);
    const { draft } = await api('POST', '/api/kb/drafts', { entryId: editing.base?.id, entry: editing.entry, note: $('note').value });
    editing.saved = saving;
    $('check').replaceChildren(el('p', { class: 'ok', text: `已保存草稿 ${draft.id}，请另一位编辑在「待审核」里审核。` }));
  } catch (err) {
    $('check').replaceChildren(el('ul', { class: 'problems' }, el('li', { text: err.message }), ...(err.details ?? []).map?.((p) => el('li', { text: `${p.field}：${p.problem}` })) ?? []));
  }
  await loadDraftCount();
}

async function showHistory() {
  await yamlReady;
  const { revisions } = await api('GET', `/api/kb/entries/${editing.entry.id}/history`);
  $('history').replaceChildren(el('h3', { text: '历史版本' }), el('table', { class: 'grid' },
    el('thead', {}, el('tr', {}, ...['版本', '作者', '审核', '时间', '说明', ''].map((t) => el('th', { scope: 'col', text: t })))),
    el('tbody', {}, ...revisions.map((r, i) => el('tr', {}, el('td', { text: String(r.revision) }), el('td', { text: r.author }), el('td', { text: r.approvedBy ?? '—' }), el('td', { text: r.at ? new Date(r.at).toLocaleString('zh-CN') : '' }), el('td', { text: r.note }),
      el('td', {}, r.revision > 1 ? el('button', { type: 'button', class: 'link', text: '看改动', onclick: () => showRevision(r.revision) }) : '',
        i === 0 ? ' 当前' : el('button', { type: 'button', text: '回滚到这一版', onclick: () => rollback(r.revision) })))))),
    el('div', { id: 'revision-diff', 'aria-live': 'polite' }));
}
async function showRevision(n) {
  const { revision, previous } = await api('GET', `/api/kb/entries/${editing.entry.id}/history/${n}`);
  $('revision-diff').replaceChildren(el('h4', { text: `第 ${n} 版相对第 ${previous?.revision ?? '—'} 版的改动（${revision.note || '没有说明'}）` }), diff(previous?.entry ?? null, revision.entry));
}
async function rollback(revision) {
  if (!confirm(`确定回滚到第 ${revision} 版？会立即上线。`)) return;
  try {
    await api('POST', `/api/kb/entries/${editing.entry.id}/rollback`, { revision });
    await openEntry(editing.entry.id, undefined, true);
    await showHistory();
  } catch (err) { alert(err.message); }
}

// ---- review ----
/** Longest-common-subsequence edit script of two sequences: ['same' | 'add' | 'del', element] in order. */
function editScript(A, B) {
  const m = A.length;
  const n = B.length;
  const L = Array.from({ length: m + 1 }, () => new Uint16Array(n + 1));
  for (let i = m - 1; i >= 0; i--) for (let j = n - 1; j >= 0; j--) L[i][j] = A[i] === B[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const ops = [];
  let i = 0;
  let j = 0;
  while (i < m || j < n) {
    if (i < m && j < n && A[i] === B[j]) { ops.push(['same', A[i]]); i++; j++; }
    else if (i < m && (j >= n || L[i + 1][j] >= L[i][j + 1])) ops.push(['del', A[i++]]); // removed lines before added ones
    else ops.push(['add', B[j++]]);
  }
  return ops;
}

/**
 * Which characters of a changed line pair differ: [old, new] as lists of [text, changed] pieces.
 * The common start and end are cut off first; the middle is compared character by character (when
 * short enough), and single characters left in common between changes are counted as changed, so
 * a reworded phrase shows as one mark rather than a scatter.
 */
function charDiff(a, b) {
  const A = Array.from(a);
  const B = Array.from(b);
  let p = 0;
  while (p < A.length && p < B.length && A[p] === B[p]) p++;
  let s = 0;
  while (s < A.length - p && s < B.length - p && A[A.length - 1 - s] === B[B.length - 1 - s]) s++;
  const midA = A.slice(p, A.length - s);
  const midB = B.slice(p, B.length - s);
  const ops = midA.length * midB.length <= 40_000 ? editScript(midA, midB) : [...midA.map((c) => ['del', c]), ...midB.map((c) => ['add', c])];
  // Runs of one character in common, with changes on both sides, join the change.
  ops.forEach((op, k) => {
    if (op[0] !== 'same' || ops[k - 1]?.[0] === 'same' || ops[k + 1]?.[0] === 'same' || k === 0 || k === ops.length - 1) return;
    op[0] = 'both';
  });
  /** Pieces [text, changed], neighbours of the same kind joined. */
  const side = () => {
    const pieces = [];
    const push = (text, changed) => {
      if (!text) return;
      const last = pieces.at(-1);
      if (last && last[1] === changed) last[0] += text;
      else pieces.push([text, changed]);
    };
    return { pieces, push };
  };
  const oldSide = side();
  const newSide = side();
  oldSide.push(A.slice(0, p).join(''), false);
  newSide.push(B.slice(0, p).join(''), false);
  for (const [t, c] of ops) {
    if (t === 'same') { oldSide.push(c, false); newSide.push(c, false); }
    else if (t === 'both') { oldSide.push(c, true); newSide.push(c, true); }
    else if (t === 'del') oldSide.push(c, true);
    else newSide.push(c, true);
  }
  oldSide.push(A.slice(A.length - s).join(''), false);
  newSide.push(B.slice(B.length - s).join(''), false);
  return [oldSide.pieces, newSide.pieces];
}

/**
 * A line diff (longest common subsequence) of two entries as YAML, with two lines of context. In a
 * changed line that replaces another, the characters that changed are marked.
 */
function diff(a, b) {
  const ops = editScript(a ? toText(a).split('\n') : [], toText(b).split('\n'));
  // Pair the removed and added lines of each changed block, in order, for the marks.
  const pieces = new Map();
  for (let k = 0; k < ops.length;) {
    if (ops[k][0] === 'same') { k++; continue; }
    const dels = [];
    const adds = [];
    while (k < ops.length && ops[k][0] !== 'same') (ops[k][0] === 'del' ? dels : adds).push(k++);
    for (let x = 0; x < Math.min(dels.length, adds.length); x++) {
      const [o, n] = charDiff(ops[dels[x]][1], ops[adds[x]][1]);
      pieces.set(dels[x], o);
      pieces.set(adds[x], n);
    }
  }
  const near = ops.map((_, k) => ops.slice(Math.max(0, k - 2), k + 3).some(([t]) => t !== 'same'));
  const out = [];
  const gap = () => el('span', { class: 'gap', text: '  …' });
  ops.forEach(([t, line], k) => {
    if (!near[k]) return;
    if (k > 0 && !near[k - 1]) out.push(gap());
    const sign = t === 'add' ? '+ ' : t === 'del' ? '- ' : '  ';
    const marked = pieces.get(k);
    out.push(marked
      ? el('span', { class: t }, sign, ...marked.map(([text, changed]) => (changed ? el('mark', { text }) : text)))
      : el('span', { class: t === 'same' ? 'ctx' : t, text: `${sign}${line}` }));
  });
  if (out.length && !near.at(-1)) out.push(gap());
  return el('div', { class: 'diff', tabindex: '0', role: 'region', 'aria-label': '改动对比' }, ...(out.length ? out : [el('span', { class: 'ctx', text: '（内容没有变化）' })]));
}

/** The 待审核 badge: refreshed after every action here, every minute, and when the page is looked at again. */
async function loadDraftCount() {
  const { drafts } = await api('GET', '/api/kb/drafts');
  $('draft-count').textContent = String(drafts.filter((d) => d.status === 'pending').length);
  return drafts;
}
const refreshCount = () => { if (me && !$('app').hidden) loadDraftCount().catch(() => {}); };
setInterval(refreshCount, 60_000);
window.addEventListener('focus', refreshCount);
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') refreshCount(); });

async function loadDrafts() {
  await yamlReady;
  const drafts = await loadDraftCount();
  const pending = drafts.filter((d) => d.status === 'pending');
  $('drafts').replaceChildren(el('h2', { text: '待审核的草稿' }), ...pending.map(draftCard), pending.length ? '' : el('p', { class: 'muted', text: '没有待审核的草稿。' }),
    ...recentClosed(drafts));
}
function draftCard(d) {
  return el('div', { class: 'cluster draft', 'data-draft': d.id },
    el('strong', { text: `${d.entry.title}（${d.entryId}）` }), el('p', { class: 'muted', text: `${d.author} 写于 ${new Date(d.createdAt).toLocaleString('zh-CN')}：${d.note || '（没有说明）'}` }),
    d.refusal ? el('p', { class: 'problems', text: `上次审核时上线检查没有通过：${d.refusal}（再点「审核通过并上线」可看到具体问法）` }) : null,
    diff(d.base, d.entry),
    d.author === me.username
      ? el('div', { class: 'row' }, el('span', { class: 'muted', text: '这是您写的草稿，需要另一位编辑审核。' }),
        el('button', { type: 'button', text: '撤回', onclick: () => closeDraft(d.id, '') }), el('span', { id: `msg-${d.id}`, class: 'problems', 'aria-live': 'polite' }))
      : el('div', { class: 'row' }, el('button', { type: 'button', class: 'primary', id: `approve-${d.id}`, text: '审核通过并上线', onclick: () => approve(d.id) }),
        el('label', {}, '退回原因 ', el('input', { id: `why-${d.id}`, placeholder: '例如：收费依据没有写文号' })),
        el('button', { type: 'button', text: '退回给作者', onclick: () => closeDraft(d.id, $(`why-${d.id}`).value) }),
        el('span', { id: `msg-${d.id}`, class: 'problems', 'aria-live': 'polite' })),
    el('div', { id: `gate-${d.id}` }));
}
const CLOSED = { published: '已上线', refused: '上线检查未通过', returned: '已退回', withdrawn: '作者已撤回' };
/** Recently handled drafts, so an author sees why a draft was returned or refused, and by whom. */
function recentClosed(drafts) {
  const done = drafts.filter((d) => d.status !== 'pending').slice(0, 15);
  if (!done.length) return [];
  return [el('h3', { text: '最近处理的草稿' }), el('table', { class: 'grid', id: 'closed-drafts' },
    el('thead', {}, el('tr', {}, ...['条目', '作者', '结果', '原因', '处理人', '时间'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...done.map((d) => el('tr', {}, el('td', { text: d.entry.title }), el('td', { text: d.author }), el('td', { text: CLOSED[d.status] ?? d.status }),
      el('td', { text: d.refusal ?? '' }), el('td', { text: d.closedBy ?? '—' }), el('td', { text: d.closedAt ? new Date(d.closedAt).toLocaleString('zh-CN') : '' })))))];
}
async function closeDraft(id, reason) {
  try {
    await api('POST', `/api/kb/drafts/${id}/return`, { reason });
    await loadDrafts();
  } catch (err) {
    $(`msg-${id}`).textContent = err.message;
    await loadDraftCount().catch(() => {});
  }
}

/** An entry's title for a question move (id or null), and whether it would be answered or only offered. */
function whereTo(at) {
  if (!at?.id) return '没有结果';
  const title = entries.find((e) => e.id === at.id)?.title ?? at.id;
  return `${title}${at.answered ? '' : '（不直接回答，只作为“您是不是想问”）'}`;
}
const titlesOf = (ids) => (ids.length ? ids.map((id) => entries.find((e) => e.id === id)?.title ?? id).join('、') : '（知识库以外的问题，不该回答）');

/** The publish gate's refusal: the questions it would stop answering right and the ones it would pull, and 「仍然发布」 with a reason. */
function showGate(id, err) {
  const d = err.details ?? {};
  const lost = d.lost ?? [];
  const drawn = d.drawn ?? [];
  const MAX = 30;
  const table = (caption, rows, cols) => [
    el('h4', { text: caption }),
    el('table', { class: 'grid' },
      el('thead', {}, el('tr', {}, ...cols.map(([h]) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...rows.slice(0, MAX).map((m) => el('tr', {}, ...cols.map(([, f]) => el('td', { text: f(m) })))))),
    rows.length > MAX ? el('p', { class: 'muted', text: `另有 ${rows.length - MAX} 个没有列出。` }) : null,
  ];
  const reason = el('input', { id: `override-${id}`, maxlength: '500', placeholder: '例如：名称按省里新目录统一，别名另行补充' });
  const msg = el('span', { class: 'problems', 'aria-live': 'polite' });
  const force = el('button', { type: 'button', class: 'danger', text: '仍然发布', onclick: async () => {
    const why = reason.value.trim();
    if (why.length < 4) { msg.textContent = '请写明仍要发布的理由（至少 4 个字），审核记录里会保留。'; reason.focus(); return; }
    await approve(id, why);
  } });
  $(`gate-${id}`).replaceChildren(el('section', { class: 'gate', role: 'alert', 'aria-label': '上线检查没有通过' },
    el('h3', { text: '上线检查没有通过，草稿没有发布' }),
    el('p', { text: err.message }),
    d.belowFloor ? el('p', { class: 'problems', text: '整体的首位命中率会低于规定的下限。' }) : null,
    ...(lost.length ? table(`原来答对、改后不再答对的问题（${lost.length}）`, lost, [['问法', (m) => m.q], ['应该回答的条目', (m) => titlesOf(m.expect)], ['原来排第一', (m) => whereTo(m.before)], ['改后排第一', (m) => whereTo(m.after)]]) : []),
    ...(drawn.length ? table(`不属于这个条目、改后会转到它这里的问题（${drawn.length}）`, drawn, [['问法', (m) => m.q], ['应该回答的条目', (m) => titlesOf(m.expect)], ['原来排第一', (m) => whereTo(m.before)], ['改后排第一', (m) => whereTo(m.after)]]) : []),
    el('p', { class: 'muted', text: '草稿仍在待审核里：可以退回给作者修改；确认这些变化没有问题的话，写明理由后仍然发布（理由会记在版本历史和审核日志里）。' }),
    el('div', { class: 'row' }, el('label', {}, '仍然发布的理由 ', reason), force, msg)));
  reason.focus();
}

async function approve(id, override) {
  const button = $(`approve-${id}`);
  const msg = $(`msg-${id}`);
  if (button) button.disabled = true;
  msg.textContent = '正在检查，请稍候…';
  try {
    await api('POST', `/api/kb/drafts/${id}/approve`, override ? { override: { reason: override } } : undefined);
    await loadDrafts();
    await loadEntries();
  } catch (err) {
    if (button) button.disabled = false;
    if (err.status === 409 && err.details && (err.details.lost || err.details.drawn)) {
      msg.textContent = '';
      showGate(id, err);
    } else {
      msg.textContent = err.message;
      // The gate panel's own note, when the override itself was refused (e.g. a reason too short).
      const note = document.querySelector(`#gate-${id} .row .problems`);
      if (note) note.textContent = err.message;
    }
    await loadDraftCount().catch(() => {});
  }
}

// ---- to-do, inbox ----
async function loadTodo() {
  const t = await api('GET', '/api/kb/todo');
  const section = (title, rows, fmt) => [el('h3', { text: `${title}（${rows.length}）` }), el('ul', {}, ...rows.slice(0, 50).map((r) => el('li', {}, el('button', { type: 'button', class: 'link', text: fmt(r), onclick: () => { document.querySelector('[data-tab=entries]').click(); openEntry(r.id); } }))))];
  $('todo').replaceChildren(el('h2', { text: '待办' }),
    ...section('已失效，不再对群众显示', t.expired, (r) => `${r.title}（${r.expiresOn} 失效）`),
    ...section('还没生效', t.notYetEffective, (r) => `${r.title}（${r.effectiveFrom} 生效）`),
    ...section('很久没有核对', t.stale, (r) => `${r.title}（上次核对 ${r.checked}）`),
    el('p', { class: 'muted', text: `另有 ${t.unverified} 个条目含未核实内容，回答时会提示「以窗口最新告知为准」。` }));
}
async function loadInbox() {
  const { clusters, questions } = await api('GET', '/api/kb/inbox');
  $('inbox').replaceChildren(el('h2', { text: `未答问题（最近 ${questions} 条，按意思归类）` }), ...clusters.map((c) => el('div', { class: 'cluster' },
    el('span', { class: 'n', text: String(c.count) }), el('strong', { text: c.label }),
    el('p', { class: 'muted', text: `例：${c.examples.join('；')}` }),
    // Follow-ups the guide of the matter under discussion did not answer: the answer belongs there.
    ...(c.askedAbout?.length ? [el('div', { class: 'row asked-about' },
      el('span', { class: 'muted', text: '群众是在看这些事项时追问的（指南里没写）：' }),
      ...c.askedAbout.map((a) => el('button', { type: 'button', text: `为「${a.title}」新建问答（${a.count} 次）`, title: '以这个问法为题新建一条问答，关联到该事项', onclick: () => newEntry(c.label, a.id) })))] : []),
    el('div', { class: 'row' },
      ...(c.candidates?.length ? aliasPicker(c) : []),
      el('button', { type: 'button', text: '新建问答草稿', title: '以这个问法为题新建一条问答；上面选了条目的话，问答会关联到它', onclick: (ev) => newEntry(c.label, ev.target.closest('.cluster').querySelector('select')?.value) })))),
    clusters.length ? '' : el('p', { class: 'muted', text: '没有未答的问题。' }));
}
/** 「加为别名」: the editor picks the entry; the nearest ones are offered, none is preselected as right. */
function aliasPicker(c) {
  const select = el('select', { 'aria-label': `「${c.label}」加到哪个条目` }, el('option', { value: '', text: '选择要加别名的条目…' }),
    ...c.candidates.map((x) => el('option', { value: x.id, text: `${x.title}（相近度 ${x.score}）` })));
  const msg = el('span', { class: 'problems' });
  return [select, el('button', { type: 'button', text: '加为别名', onclick: () => {
    if (!select.value) { msg.textContent = '请先选择条目。'; return; }
    document.querySelector('[data-tab=entries]').click();
    openEntry(select.value, { alias: c.label });
  } }), msg];
}
function newEntry(question, relatedId) {
  if (!mayLeave()) return;
  document.querySelector('[data-tab=entries]').click();
  clearTimeout(rawTimer);
  rawTimer = null;
  rawError = null;
  editing = { base: null, saved: null, entry: { id: 'faq-new-question', kind: 'faq', title: question, summary: '', answer: '', aliases: [], keywords: [], related: relatedId ? [relatedId] : [], sources: [{ title: '', reliability: 'unverified', checked: new Date().toISOString().slice(0, 10) }], verified: false, unverified: ['answer'] } };
  renderEditor();
}

// ---- dashboard ----
let charts = [];
async function loadDashboard() {
  const q = new URLSearchParams();
  if ($('from').value) q.set('from', $('from').value);
  if ($('to').value) q.set('to', $('to').value);
  const d = await api('GET', `/api/kb/dashboard?${q}`);
  $('from').value = d.from;
  $('to').value = d.to;
  $('csv').href = `/api/kb/dashboard/weak-spots.csv?from=${d.from}&to=${d.to}`;
  const pct = (x) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
  const t = d.totals;
  $('totals').replaceChildren(...[
    ['咨询量', t.questions], ['答上率', pct(t.answerRate)], ['转人工率', pct(t.handoffRate)], ['生成清单', t.checklists],
    ['“您是不是想问”（选了）', `${t.suggested}（${t.suggestionsChosen}）`], ['投诉/举报/建议/感谢', t.appeals],
    ['懂了（有帮助）', t.helpful], ['没看懂', t.notHelpful], ['流程走不通', t.processReports], ['好 / 中 / 差', `${t.good} / ${t.fair} / ${t.poor}`],
  ].map(([k, v]) => el('div', {}, k, el('strong', { text: String(v) }))));
  $('weak').replaceChildren(...d.weakSpots.map((e, i) => el('tr', {}, ...[i + 1, e.title, e.problemScore, e.notHelpful, e.processReports, e.handoffs, e.poor, e.questions,
    Object.entries(e.reasons).map(([k, n]) => `${d.reasons.find((r) => r.code === k)?.label ?? k}×${n}`).join('；'),
    Object.entries(e.steps).map(([k, n]) => `${k}×${n}`).join('；')].map((v) => el('td', { text: String(v) })))));
  if (!window.echarts) return;
  charts.forEach((c) => c.dispose());
  const days = d.days.map((x) => x.day.slice(5));
  const c1 = echarts.init($('chart-days'));
  c1.setOption({ animation: false, title: { text: '每天', left: 8, textStyle: { fontSize: 14 } }, tooltip: { trigger: 'axis' }, legend: { top: 4, right: 8 }, grid: { left: 40, right: 16, bottom: 30, top: 40 },
    xAxis: { type: 'category', data: days }, yAxis: { type: 'value', minInterval: 1 },
    series: [['咨询', 'questions'], ['答上', 'answered'], ['答不上', 'unanswered'], ['转人工', 'handoffs']].map(([name, k]) => ({ name, type: 'line', data: d.days.map((x) => x[k]) })) });
  const c2 = echarts.init($('chart-judge'));
  c2.setOption({ animation: false, title: { text: '懂不懂 · 好不好', left: 8, textStyle: { fontSize: 14 } }, tooltip: {}, grid: { left: 70, right: 16, bottom: 24, top: 40 },
    xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: ['有帮助', '没看懂', '好', '中', '差'] },
    series: [{ type: 'bar', data: [t.helpful, t.notHelpful, t.good, t.fair, t.poor], itemStyle: { color: (p) => ['#1e6b34', '#b3261e', '#1e6b34', '#b45309', '#b3261e'][p.dataIndex] } }] });
  const c3 = echarts.init($('chart-reasons'));
  c3.setOption({ animation: false, title: { text: '通不通：走不通的原因', left: 8, textStyle: { fontSize: 14 } }, tooltip: {},
    series: [{ type: 'pie', radius: ['30%', '52%'], top: 30, data: d.reasons.filter((r) => r.count > 0).map((r) => ({ name: r.label, value: r.count })), label: { formatter: '{b} {c}', overflow: 'break', width: 64, alignTo: 'edge', edgeDistance: 6 } }] });
  charts = [c1, c2, c3];
}
$('reload-dash').addEventListener('click', loadDashboard);

// ---- import ----
async function readFile() {
  const file = $('import-file').files[0];
  if (!file) throw new Error('请先选择文件');
  if (/\.xlsx$/i.test(file.name)) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { format: 'xlsx', data: btoa(bin) };
  }
  return { format: 'csv', data: await file.text() };
}
async function runImport(commit) {
  try {
    const r = await api('POST', '/api/kb/import', { ...(await readFile()), commit });
    $('import-commit').disabled = commit || r.good === 0;
    $('import-result').replaceChildren(
      el('p', { text: `${r.good} 行可以导入，${r.bad} 行有问题${r.unknownColumns.length ? `；不认识的列（已忽略）：${r.unknownColumns.join('、')}` : ''}${commit ? `；已生成 ${r.created.length} 份草稿，请到「待审核」` : ''}` }),
      el('table', { class: 'grid' }, el('thead', {}, el('tr', {}, ...['行', '事项', '结果'].map((t) => el('th', { scope: 'col', text: t })))),
        el('tbody', {}, ...r.rows.map((x) => el('tr', {}, el('td', { text: String(x.row) }), el('td', { text: x.title || '—' }), el('td', { class: x.ok ? 'ok' : 'problems', text: x.ok ? '可以导入' : x.problems.join('；') }))))));
    if (commit) await loadDraftCount();
  } catch (err) {
    $('import-result').replaceChildren(el('p', { class: 'problems', text: err.message }));
  }
}
$('import-preview').addEventListener('click', () => runImport(false));
$('import-commit').addEventListener('click', () => runImport(true));

// The session ends (401, 退出登录 in another tab): back to the sign-in form, the open draft kept on the page.
const boot = staffSignIn({
  app: 'app',
  roles: ['editor', 'admin'],
  refused: '这个账号不是编辑账号。',
  onSignedIn: async (account) => {
    me = account;
    await loadEntries();
    await loadDraftCount();
  },
});
void boot();
