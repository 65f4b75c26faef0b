// Account administration (admin role only): sign in; list accounts and add officers, editors and
// admins; change an account's name, role and departments, set a new password, disable or enable
// it; the latest of these changes from the accounts audit log.
import { $, api, el, endSession, ROLE_NAMES, staffSignIn } from '/common.js';

const actions = { create: '新增', update: '修改', disable: '停用', enable: '启用', password: '设置新密码' };
let me = null;
let users = [];
/** The username whose edit panel is open, or null. */
let editing = null;

const boot = staffSignIn({
  app: 'admin',
  roles: ['admin'],
  refused: '这个账号不是管理员账号。请用管理员账号登录，或退出登录。',
  onSignedIn: async (account) => {
    me = account;
    await load();
  },
  onEnd: () => {
    me = null;
    users = [];
    closeEdit();
    $('users').replaceChildren();
    $('audit').replaceChildren();
  },
});
// The counter departments (GET /api/departments), picked with checkboxes; a department an older
// account holds in free text and not on the list is shown too, ticked, so saving keeps it.
let counterDepartments = [];
function departmentBoxes(box, chosen = []) {
  const names = [...counterDepartments, ...chosen.filter((d) => !counterDepartments.includes(d))];
  box.replaceChildren(box.querySelector('legend'), ...names.map((name) =>
    el('label', { class: 'dept' }, el('input', { type: 'checkbox', value: name, checked: chosen.includes(name) }), ` ${name}`)));
}
const departmentsOf = (box) => [...box.querySelectorAll('input[type=checkbox]:checked')].map((c) => c.value);
const path = (username, action = '') => `/api/admin/users/${encodeURIComponent(username)}${action ? `/${action}` : ''}`;

function userRow(u) {
  return el('tr', { 'data-user': u.username, class: u.disabled ? 'disabled' : '' },
    ...[u.username, u.displayName, ROLE_NAMES[u.role], u.departments.join('、') || '全部', u.disabled ? '已停用' : '正常'].map((v) => el('td', { text: v })),
    el('td', {}, el('button', { type: 'button', class: 'secondary', text: '修改', 'aria-label': `修改账号 ${u.username}`, onclick: () => openEdit(u.username) })));
}

function auditRow(e) {
  const c = e.changes ?? {};
  const what = [
    c.displayName !== undefined && `姓名：${c.displayName}`,
    c.role !== undefined && `角色：${ROLE_NAMES[c.role] ?? c.role}`,
    c.departments !== undefined && `部门：${c.departments.join('、') || '全部'}`,
  ].filter(Boolean).join('；');
  return el('tr', {},
    ...[new Date(e.at).toLocaleString('zh-CN'), e.by === 'system' ? '系统（首次启动）' : e.by, actions[e.action] ?? e.action, e.username, what].map((v) => el('td', { text: v })));
}

async function load() {
  ({ users } = await api('GET', '/api/admin/users'));
  if (counterDepartments.length === 0) {
    counterDepartments = (await api('GET', '/api/departments')).departments.map((d) => d.name);
    departmentBoxes($('u-depts'));
  }
  $('users').replaceChildren(...users.map(userRow));
  const { events } = await api('GET', '/api/admin/audit');
  $('audit').replaceChildren(...events.slice(0, 30).map(auditRow));
  if (events.length === 0) $('audit').append(el('tr', {}, el('td', { colspan: '5', class: 'muted', text: '还没有账号变更。' })));
  if (editing) fillEdit();
}

// ---- one account: name, role, departments; new password; disable / enable ----
function fillEdit() {
  const u = users.find((x) => x.username === editing);
  if (!u) return closeEdit();
  $('edit-title').textContent = `修改账号 ${u.username}`;
  $('edit-state').textContent = u.disabled ? '这个账号已停用：不能登录。' : `${ROLE_NAMES[u.role]} · ${u.username === me?.username ? '这是您自己的账号' : '可以登录'}`;
  $('e-display').value = u.displayName;
  $('e-role').value = u.role;
  departmentBoxes($('e-depts'), u.departments);
  $('toggle-disabled').textContent = u.disabled ? '启用账号' : '停用账号';
}
function openEdit(username) {
  editing = username;
  $('edit-result').textContent = '';
  $('e-pass').value = '';
  fillEdit();
  $('edit').hidden = false;
  $('e-display').focus();
}
function closeEdit() {
  editing = null;
  $('edit').hidden = true;
  $('edit-result').textContent = '';
}

/**
 * Runs one change to the open account and says how it went. A change to one's own account may
 * end one's own session (new password, disabled) or the admin role: then `self` says what happens.
 */
async function change(call, done, self) {
  const username = editing;
  try {
    await call(username);
  } catch (err) {
    if (err.status !== 401) $('edit-result').textContent = err.message;
    return;
  }
  if (username === me.username && self) return self();
  await load();
  $('edit-result').textContent = done;
}

$('edit-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const body = { displayName: $('e-display').value.trim(), role: $('e-role').value, departments: departmentsOf($('e-depts')) };
  void change((u) => api('PATCH', path(u), body), '已保存。', () => boot());
});
$('password-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const password = $('e-pass').value;
  void change((u) => api('POST', path(u, 'password'), { password }).then(() => { $('e-pass').value = ''; }),
    '已设置新密码，这个账号已登录的窗口都已退出。请把新密码当面告诉本人。',
    () => endSession('已为您自己的账号设置了新密码，请用新密码重新登录。'));
});
$('toggle-disabled').addEventListener('click', () => {
  const u = users.find((x) => x.username === editing);
  if (!u) return;
  if (u.disabled) void change((name) => api('POST', path(name, 'enable')), '已启用：这个账号又可以登录了。');
  else void change((name) => api('POST', path(name, 'disable')), '已停用：这个账号不能再登录，已登录的窗口都已退出。', () => endSession('您已停用自己的账号。'));
});
$('edit-close').addEventListener('click', closeEdit);

// ---- a new account ----
$('create').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    await api('POST', '/api/admin/users', {
      username: $('u-name').value.trim(),
      displayName: $('u-display').value.trim(),
      role: $('u-role').value,
      departments: departmentsOf($('u-depts')),
      password: $('u-pass').value,
    });
    $('result').textContent = '已新增。请把初始密码当面告诉本人。';
    $('create').reset();
    departmentBoxes($('u-depts'));
    await load();
  } catch (err) {
    if (err.status !== 401) $('result').textContent = err.message;
  }
});

void boot();
