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

  // The Add forms stay on the page after an htmx answer, with their one-time key: once an Add
  // has been answered its form gets a new key, so the next Add of the same exercise adds it
  // again. Not at once: a double click's second request (queued by htmx until the first is
  // answered, or clicked just after) must carry the first's key, so the server answers it
  // with the item already added instead of adding it twice.
  var NEW_KEY_AFTER_MS = 1000;

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt;
    var key = form && form.tagName === "FORM" ? form.querySelector("input[name=client_id]") : null;
    if (!key || !event.detail.successful) {
      return;  // nothing was added under a refused key: it stays for the corrected Add
    }
    var sent = key.value;
    window.setTimeout(function () {
      if (key.value === sent) {
        key.value = newKey();
      }
    }, NEW_KEY_AFTER_MS);
  });

  // A refusal htmx does not swap (its answer is not the items section) said nothing: the
  // status line kept its last message and the save seemed to do nothing. A 409 brings its
  // own words (the item was removed in another window); any other refusal gets general ones.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail && event.detail.xhr;
    var status = document.getElementById("builder-status");
    if (!xhr || !status) {
      return;
    }
    var words = xhr.status === 409 && xhr.responseText ? xhr.responseText
      : "Not saved: the server could not do that (error " + xhr.status + "). " +
        "Reload the page and try again.";
    // Emptied first, so the same words said twice are announced twice.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = words; }, 50);
  });

  // A random UUID; crypto.randomUUID exists only on HTTPS pages and localhost.
  function newKey() {
    if (window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

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
