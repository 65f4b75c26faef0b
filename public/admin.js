// Account administration: list accounts and add officers, editors and admins (admin role only).
const $ = (id) => document.getElementById(id);
const roles = { officer: '工作人员', editor: '编辑', admin: '管理员' };
const api = async (method, path, body) => {
  const res = await fetch(path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error?.message ?? `请求失败（${res.status}）`);
  return data;
};
async function load() {
  const { users } = await api('GET', '/api/admin/users');
  $('users').replaceChildren(...users.map((u) => {
    const tr = document.createElement('tr');
    for (const v of [u.username, u.displayName, roles[u.role], u.departments.join('、') || '全部']) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.append(td);
    }
    return tr;
  }));
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
