// Account administration: list accounts and add officers, editors and admins (admin role only).
import { $, api, el } from '/common.js';

const roles = { officer: '工作人员', editor: '编辑', admin: '管理员' };
async function load() {
  const { users } = await api('GET', '/api/admin/users');
  $('users').replaceChildren(...users.map((u) =>
    el('tr', {}, ...[u.username, u.displayName, roles[u.role], u.departments.join('、') || '全部'].map((v) => el('td', { text: v }))),
  ));
}
$('create').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    await api('POST', '/api/admin/users', {
      username: $('u-name').value.trim(),
      displayName: $('u-display').value.trim(),
      role: $('u-role').value,
      departments: $('u-depts').value.split(/[,，、]/).map((d) => d.trim()).filter(Boolean),
      password: $('u-pass').value,
    });
    $('result').textContent = '已新增。请把初始密码当面告诉本人。';
    $('create').reset();
    await load();
  } catch (err) {
    $('result').textContent = err.message;
  }
});
(async () => {
  try {
    const { user } = await api('GET', '/api/auth/me');
    if (user.role !== 'admin') throw new Error('not admin');
    $('who').textContent = user.displayName;
    $('admin').hidden = false;
    await load();
  } catch {
    $('need-login').hidden = false;
  }
})();
