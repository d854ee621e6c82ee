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
    // The swap replaced #items whole (outerHTML): the event's target is the old section, no
    // longer in the page, so what to focus is looked up in the new one.
    var items = document.getElementById("items");
    var invalid = items && refusedField(items);
    var again = lastFocusId ? document.getElementById(lastFocusId) : null;
    if (invalid && (!again || !items.contains(again) || again.tagName === "BUTTON")) {
      invalid.focus();  // a refused change: straight to the field that says why
      return;
    }
    if (again && again.disabled) {
      // Moved to the top (or bottom): its "Move up" is now disabled. The same item's other
      // move button keeps the therapist on that item, where the heading lost it.
      again = document.getElementById(again.id.replace(/^(up|down)-/, function (_, way) {
        return way === "up" ? "down-" : "up-";
      }));
    }
    if (again && !again.disabled) {
      again.focus();
      return;
    }
    document.getElementById("items-heading").focus();
  });

  // The field to fix in a refused dose form (kept open with its errors): the first one marked
  // invalid, else, for an error about the whole form, its first field.
  function refusedField(items) {
    var form = items.querySelector("details[open] form");
    if (!form) {
      return null;
    }
    var controls = "input:not([type=hidden]), select, textarea";
    var marked = form.querySelector(".field-invalid :is(" + controls + ")");
    return marked || (form.querySelector(".form-errors") ? form.querySelector(controls) : null);
  }
})();
