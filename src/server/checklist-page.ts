/**
 * The printable checklist page (GET /checklist/:id), made to be read on a phone at the counter:
 * first what to bring (one short line each, ticked off), then where, when and what it costs, the
 * conditions to check before going, the items and the answers given; the legal basis (once, not
 * under every material) and the sources are folded. Printing unfolds everything (print.js).
 */
import QRCode from 'qrcode';
import type { Checklist, ChecklistLine } from '../knowledge/compute-checklist.js';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const counts = (m: ChecklistLine): string =>
  [m.originals > 0 ? `原件 ${m.originals} 份` : '', m.copies > 0 ? `复印件 ${m.copies} 份` : ''].filter(Boolean).join('，') || '份数以窗口告知为准';

/** One thing to bring: the name and the counts on one line; what it is for and notes folded. */
const line = (m: ChecklistLine, extra = ''): string => {
  const more = [m.note ? `<p class="note">${esc(m.note)}</p>` : '', m.usedBy.length ? `<p class="note">用于：${m.usedBy.map(esc).join('、')}</p>` : ''].join('');
  return `
      <li>
        <span class="box" aria-hidden="true">☐</span>
        <div><strong>${esc(m.name)}</strong> <span class="count">${esc(counts(m))}</span>${extra}${more ? `<details><summary>说明</summary>${more}</details>` : ''}</div>
      </li>`;
};

const list = (heading: string, id: string, lines: string): string => `<h3 id="${id}">${esc(heading)}</h3><ol class="bring" aria-labelledby="${id}">${lines}</ol>`;

/** Only web addresses become links; anything else (a checklist stored before the schema refused it) stays text. */
const WEB = /^https?:\/\//i;

/** The service centre from the knowledge base's settings, and whether its details are still unconfirmed. */
export interface ChecklistPlace {
  name: string;
  address: string;
  hours: string;
  unconfirmed: boolean;
}

export async function renderChecklistPage(c: Checklist, pageUrl: string, place?: ChecklistPlace): Promise<string> {
  const qr = await QRCode.toString(pageUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  const date = c.createdAt.slice(0, 10);
  const checked = c.sources.map((s) => s.checked).sort().at(-1) ?? date;
  const legal = [...new Set([...c.materials, ...c.situational, ...c.replaced].flatMap((m) => m.legalBasis))];
  const notToBring = [
    ...c.replaced.map((m) => `${esc(m.name)}（${esc(m.how)}）`),
    ...(c.produced ?? []).map((x) => `${esc(x.name)}（办理过程中由「${esc(x.by)}」办出）`),
    ...c.excluded.map((x) => `${esc(x.name)}（${esc(x.reason)}）`),
  ];
  const conditions = c.conditions ?? [];
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(c.title)} · 一次</title>
<link rel="stylesheet" href="/checklist.css">
</head>
<body>
<main>
  <header>
    <div>
      <p class="brand">一次 · 政务服务小助手</p>
      <h1>${esc(c.title)}</h1>
      <p class="meta">生成日期 ${esc(date)} · 资料核对日期 ${esc(checked)} · 清单编号 ${esc(c.id)}</p>
    </div>
    <figure class="qr">
      <div role="img" aria-label="二维码：用手机扫码打开这份清单">${qr}</div>
      <figcaption>手机扫码打开</figcaption>
    </figure>
  </header>
  ${c.caution ? `<p class="caution" role="note">⚠ ${esc(c.caution)}</p>` : ''}
  <section aria-labelledby="materials">
    <h2 id="materials">要带的材料（${c.materials.length} 项，每样只带一套）</h2>
    ${list('必带', 'must', c.materials.map((m) => line(m)).join(''))}
    ${c.situational.length ? list(`视情况需要（${c.situational.length} 项）`, 'maybe', c.situational.map((m) => line(m, `<div class="when">${esc(m.when)}需要</div>`)).join('')) : ''}
    ${notToBring.length ? `<details class="fold"><summary>不用自己带的材料（${notToBring.length} 项）</summary><ul>${notToBring.map((x) => `<li>${x}</li>`).join('')}</ul></details>` : ''}
  </section>
  <section aria-labelledby="where">
    <h2 id="where">去哪里办</h2>
    <ul class="facts">
      ${place ? `<li><strong>${esc(place.name)}</strong>：${esc(place.address)}</li><li>办公时间：${esc(place.hours)}${place.unconfirmed ? '（以窗口最新告知为准）' : ''}</li>` : ''}
      ${c.where.map((w) => `<li>${esc(w)}</li>`).join('')}
      <li>时限：${esc(c.time)}</li>
      <li>收费：${c.fees.length > 1 ? `<ul>${c.fees.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : esc(c.fees[0] ?? '以窗口告知为准')}</li>
    </ul>
  </section>
  ${
    conditions.length
      ? `<section aria-labelledby="conditions">
    <h2 id="conditions">去之前先确认的条件</h2>
    ${conditions.map((x) => `<details class="fold"><summary>${esc(x.title)}（${x.lines.length} 条）</summary><ul>${x.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul></details>`).join('')}
  </section>`
      : ''
  }
  <section aria-labelledby="items">
    <h2 id="items">要办的事项（${c.items.length} 项）</h2>
    <ol class="items">${c.items.map((i) => `<li><strong>${esc(i.title)}</strong><span class="note"> · ${esc(i.department)} · ${esc(i.time)} · ${esc(i.fee)}</span></li>`).join('')}</ol>
  </section>
  ${c.answers.length ? `<section aria-labelledby="answers"><h2 id="answers">您的情况</h2><ul class="facts">${c.answers.map((a) => `<li>${esc(a.question)} <strong>${esc(a.answer)}</strong></li>`).join('')}</ul></section>` : ''}
  <section aria-labelledby="basis" class="small">
    <h2 id="basis">依据和来源</h2>
    ${legal.length ? `<details class="fold"><summary>法律法规依据（${legal.length} 项）</summary><ul>${legal.map((l) => `<li>${esc(l)}</li>`).join('')}</ul></details>` : ''}
    <details class="fold sources"><summary>资料来源（${c.sources.length} 项）</summary><ol>${c.sources.map((s) => `<li>${s.url && WEB.test(s.url) ? `<a href="${esc(s.url)}">${esc(s.title)}</a>` : esc(s.title)}（核对 ${esc(s.checked)}）</li>`).join('')}</ol></details>
  </section>
  <p class="actions no-print">
    <button type="button" data-print>打印清单</button>
    <a href="/">返回对话</a>
  </p>
</main>
<script src="/print.js" defer></script>
</body>
</html>`;
}
