// Dashboard: the therapist filter applies as soon as a therapist is chosen. Without
// JavaScript the form's Show button does the same.
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
    });
  });
})();
