// Program builder: keep keyboard focus where the therapist was after htmx swaps the items.
(function () {
  "use strict";
  var lastFocusId = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    lastFocusId = active && active.id ? active.id : null;
    var submitter = event.detail && event.detail.requestConfig && event.detail.requestConfig.submitter;
    if (submitter && submitter.id) {
      lastFocusId = submitter.id;
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "items") {
      return;
    }
    var again = lastFocusId ? document.getElementById(lastFocusId) : null;
    if (again && !again.disabled) {
      again.focus();
      return;
    }
    var invalid = target.querySelector("details[open] .field-invalid input, details[open] .form-errors");
    var heading = document.getElementById("items-heading");
    (invalid || heading).focus();
  });
})();
