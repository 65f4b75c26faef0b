/**
 * The printable checklist page (GET /checklist/:id): every material once, what replaces what,
 * where to go, time, fees, the legal basis of each line, the sources with their dates, and a
 * QR code to reopen the page on a phone.
 */
import QRCode from 'qrcode';
import type { Checklist, ChecklistLine } from '../knowledge/compute-checklist.js';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const counts = (m: ChecklistLine): string =>
  [m.originals > 0 ? `原件 ${m.originals} 份` : '', m.copies > 0 ? `复印件 ${m.copies} 份` : ''].filter(Boolean).join('，') || '—';

const row = (m: ChecklistLine, extra = ''): string => `
      <tr>
        <td class="box" aria-hidden="true">☐</td>
        <td><strong>${esc(m.name)}</strong>${extra}${m.note ? `<div class="note">${esc(m.note)}</div>` : ''}</td>
        <td class="num">${esc(counts(m))}</td>
        <td>${m.usedBy.map(esc).join('<br>')}</td>
        <td class="law">${m.legalBasis.map(esc).join('<br>')}</td>
      </tr>`;

const table = (caption: string, lines: string): string => `
    <table>
      <caption>${esc(caption)}</caption>
      <thead><tr><th scope="col"><span class="visually-hidden">已备好</span></th><th scope="col">材料</th><th scope="col">份数</th><th scope="col">哪些事项要用</th><th scope="col">依据</th></tr></thead>
      <tbody>${lines}</tbody>
    </table>`;

/** Only web addresses become links; anything else (a checklist stored before the schema refused it) stays text. */
const WEB = /^https?:\/\//i;

export async function renderChecklistPage(c: Checklist, pageUrl: string): Promise<string> {
  const qr = await QRCode.toString(pageUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  const date = c.createdAt.slice(0, 10);
  const checked = c.sources.map((s) => s.checked).sort().at(-1) ?? date;
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
  <section aria-labelledby="items">
    <h2 id="items">要办的事项（${c.items.length} 项）</h2>
    <ol>${c.items.map((i) => `<li><strong>${esc(i.title)}</strong> — ${esc(i.department)}<div class="note">时限：${esc(i.time)}；收费：${esc(i.fee)}</div></li>`).join('')}</ol>
  </section>
  ${c.answers.length ? `<section aria-labelledby="answers"><h2 id="answers">您的情况</h2><ul>${c.answers.map((a) => `<li>${esc(a.question)} <strong>${esc(a.answer)}</strong></li>`).join('')}</ul></section>` : ''}
  <section aria-labelledby="materials">
    <h2 id="materials">要带的材料（每样只带一套）</h2>
    ${table(`必带材料，共 ${c.materials.length} 项`, c.materials.map((m) => row(m)).join(''))}
    ${c.situational.length ? table(`视情况需要，共 ${c.situational.length} 项`, c.situational.map((m) => row(m, `<div class="when">${esc(m.when)}需要</div>`)).join('')) : ''}
    ${c.replaced.length ? table(`可以免交，共 ${c.replaced.length} 项`, c.replaced.map((m) => row(m, `<div class="when">${esc(m.how)}</div>`)).join('')) : ''}
    ${c.produced?.length ? `<p class="note">办理过程中取得，不用自己带：${c.produced.map((x) => `${esc(x.name)}（由「${esc(x.by)}」办出）`).join('；')}</p>` : ''}
    ${c.excluded.length ? `<p class="note">按您的情况不需要：${c.excluded.map((x) => `${esc(x.name)}（${esc(x.reason)}）`).join('；')}</p>` : ''}
  </section>
  <section aria-labelledby="where">
    <h2 id="where">在哪里办</h2>
    <ul>${c.where.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>
    <p>时限：${esc(c.time)}</p>
  </section>
  <section aria-labelledby="fees">
    <h2 id="fees">收费</h2>
    <ul>${c.fees.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>
  </section>
  <section aria-labelledby="sources" class="sources">
    <h2 id="sources">资料来源</h2>
    <ol>${c.sources.map((s) => `<li>${s.url && WEB.test(s.url) ? `<a href="${esc(s.url)}">${esc(s.title)}</a>` : esc(s.title)}（核对 ${esc(s.checked)}）</li>`).join('')}</ol>
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
