// Buttons that print the page (the checklist page and the editors' dashboard). Pages run under
// Content-Security-Policy script-src 'self', so there are no inline onclick handlers. A printed
// page shows everything: folded details open for printing and close again afterwards.
(() => {
  'use strict';
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('[data-print]') : null;
    if (target) window.print();
  });
  let opened = [];
  window.addEventListener('beforeprint', () => {
    opened = [...document.querySelectorAll('details:not([open])')];
    for (const d of opened) d.open = true;
  });
  window.addEventListener('afterprint', () => {
    for (const d of opened) d.open = false;
    opened = [];
  });
})();
