// Buttons that print the page (the checklist page and the editors' dashboard). Pages run under
// Content-Security-Policy script-src 'self', so there are no inline onclick handlers.
(() => {
  'use strict';
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('[data-print]') : null;
    if (target) window.print();
  });
})();
