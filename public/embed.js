// Yici chat as a floating widget for a government portal:
//   <script src="https://YICI-HOST/embed.js" defer></script>
(() => {
  'use strict';
  if (window.__yiciEmbedded) return;
  window.__yiciEmbedded = true;
  const origin = new URL(document.currentScript ? document.currentScript.src : '/embed.js', location.href).origin;
  const style = document.createElement('style');
  style.textContent = `
    .yici-launch { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; background: #b3261e; color: #fff;
      border: 0; border-radius: 999px; padding: 14px 20px; font: 600 16px/1 "PingFang SC","Microsoft YaHei",sans-serif;
      box-shadow: 0 6px 20px rgba(0,0,0,.25); cursor: pointer; }
    .yici-launch:focus-visible { outline: 3px solid #ffbf47; outline-offset: 3px; }
    .yici-frame { position: fixed; right: 20px; bottom: 84px; z-index: 2147483000; width: 400px; height: min(640px, calc(100vh - 110px));
      border: 0; border-radius: 16px; box-shadow: 0 12px 40px rgba(0,0,0,.3); background: #fff; }
    @media (max-width: 560px) { .yici-frame { right: 0; bottom: 0; width: 100vw; height: 100vh; border-radius: 0; } }`;
  document.head.append(style);
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'yici-launch';
  button.textContent = '办事咨询';
  button.setAttribute('aria-expanded', 'false');
  let frame = null;
  button.addEventListener('click', () => {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.className = 'yici-frame';
      frame.title = '一次 · 政务服务小助手';
      frame.src = `${origin}/?embed=1`;
      document.body.append(frame);
    } else frame.hidden = !frame.hidden;
    const open = !frame.hidden;
    button.setAttribute('aria-expanded', String(open));
    button.textContent = open ? '关闭咨询' : '办事咨询';
  });
  document.body.append(button);
})();
