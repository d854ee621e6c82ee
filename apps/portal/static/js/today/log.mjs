/* The one-tap log: a tap on a card's "Log ... set" button (or Enter) puts the set in the
   queue on the phone and draws it at once, online or not; today.mjs then has sync.mjs send
   it. Nothing here waits for the network, so the page answers a tap the same way offline. */
import { loadQueue, saveQueue } from "./queue.mjs";
import { clearPain, payloadFrom, problemWith, showFormError } from "./form.mjs";
import { draw } from "./draw.mjs";
import { clearFailures, describeQueue } from "./status.mjs";

var DOUBLE_TAP_MS = 1500;
var lastTap = {};

// Handles a log form's submit; true when a set joined the queue (and is to be sent).
export function logSet(event) {
  var form = event.target.closest("[data-log-form]");
  if (!form) return false;
  event.preventDefault();
  var button = event.submitter || document.activeElement;
  // Without event.submitter, Enter leaves the reps box focused: its number is no side.
  if (!button || button.type !== "submit") button = form.querySelector("[data-log-due]");
  var side = button && button.value ? button.value : "both";
  var key = form.querySelector('[name="item"]').value + ":" + side;
  if (Date.now() - (lastTap[key] || 0) < DOUBLE_TAP_MS) return false;  // A double tap logs once.
  lastTap[key] = Date.now();
  var payload = payloadFrom(form, side);
  var problem = problemWith(payload);
  showFormError(form, problem);
  if (problem) return false;
  var queue = loadQueue();
  queue.push(payload);
  if (!saveQueue(queue)) {
    // No room on the phone: fall back to the plain form post.
    form.submit();
    return false;
  }
  clearFailures();
  clearPain(form);
  var card = form.closest("[data-item]");
  var wasStopped = card.dataset.stopped === "yes";
  draw(null);
  // The form the patient was in has just folded away: the advice is what to read next.
  if (!wasStopped && card.dataset.stopped === "yes") card.querySelector("[data-pain-advice]").focus();
  describeQueue();
  return true;
}
