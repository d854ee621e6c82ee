/* The status line at the foot of the screen: how many sets wait on the phone, that all are
   saved, or which were refused and why. It lies over the page so that no button moves under
   the thumb. */
import { loadQueue } from "./queue.mjs";

var statusTimer = null;
// The words for each set the server refused since the last tap (refusals.mjs): they stay up
// until the patient logs another set, so a refusal is never missed.
var failures = [];

export function addFailure(message) {
  failures.push(message);
}

export function clearFailures() {
  failures = [];
}

// The status is a live region in the page from the start: it is only ever filled and
// emptied, never hidden, since a region unhidden and filled in one step is missed by some
// screen readers. Empty, it draws nothing (today.css).
function setStatusText(box, message) {
  box.textContent = message;
  document.body.classList.toggle("has-sync-status", !!message);
  placeStatus(box);
}

// After a painful set the card's advice takes the focus: it is what to read next, and it is
// nearly a screen tall, so the status at the foot of the screen covered its last lines (the
// therapist alert, the clinic's number). While the advice has the focus the status sits at
// the top of the screen instead, and the advice starts just under it.
export function placeStatus(box) {
  var advice = document.activeElement;
  var reading = !!box.textContent && advice && advice.matches &&
    advice.matches("[data-pain-advice]") && !advice.hidden;
  box.classList.toggle("at-top", reading);
  if (!reading) return;
  var under = box.getBoundingClientRect().bottom + 8;
  var top = advice.getBoundingClientRect().top;
  if (top < under) window.scrollBy(0, top - under);
}

function showStatus(kind, message) {
  var box = document.getElementById("sync-status");
  if (!box) return;
  clearTimeout(statusTimer);
  box.className = "sync-status " + kind;
  setStatusText(box, message);
  if (kind === "synced") statusTimer = setTimeout(function () { setStatusText(box, ""); }, 5000);
}

export function describeQueue(note) {
  var n = loadQueue().length;
  if (failures.length) {
    showStatus("failed", failures.join(" "));
  } else if (n && !navigator.onLine) {
    showStatus("pending", n + (n === 1 ? " set is" : " sets are") +
      " saved on this phone and will sync when you are back online.");
  } else if (n) {
    showStatus("pending", n + (n === 1 ? " set is" : " sets are") + " saved on this phone. " +
      (note || "Sending…"));
  } else if (note) {
    showStatus("synced", note);
  }
}
