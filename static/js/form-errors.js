/* Every page (templates/base.html): a page sent back with a form's errors opens with the
   focus on what went wrong, not at the top of the page (WCAG 2.2 AA 3.3.1, 2.4.3). The
   error summary is focused if the page has one (every summary is focusable and an alert, so
   a screen reader reads it); otherwise the first field marked invalid, which is described by
   its message. A page without errors, or one where the person has already moved the focus,
   is left alone. Errors that arrive later (htmx swaps, the pages' own checks) are each
   focused by their page's script. */
(function () {
  "use strict";
  var active = document.activeElement;
  if (active && active !== document.body) return;
  var target = document.querySelector(".form-errors:not([hidden])") ||
    document.querySelector('[aria-invalid="true"]');
  if (target) target.focus();
})();
