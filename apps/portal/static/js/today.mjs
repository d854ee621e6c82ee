/* Today page: one-tap logging through /api/v1/me/logs/, an offline queue kept on the phone
   (localStorage) and sent again with the same client ids, in one request to
   /api/v1/me/logs/batch/ when several are waiting, and the hold countdown timer.

   This module only wires the page together; each concern is a module of its own in today/:
     page.mjs      the page's root element and day
     queue.mjs     the queue of sets kept on the phone, and each set's client id
     sync.mjs      sending the queue and retrying, with the same client ids
     refusals.mjs  reading and wording a set the server refused
     http.mjs      posting to the patient's API
     log.mjs       the one-tap log: a set into the queue and onto the page
     form.mjs      reading and checking a card's log form
     draw.mjs      drawing the day's progress and the pain advice
     plan.mjs      the server's plan: the service worker's kept copy, and a fresh one
     status.mjs    the status line at the foot of the screen
     morning.mjs   the next-morning question
     timer.mjs     the hold timer
     amounts.mjs   the amount steppers and the log buttons' words
     words.mjs     how a set and a day are worded

   It is loaded with <script type="module">: a module runs once the page is parsed, as the
   classic script with `defer` did. A browser without modules runs none of it, and the page's
   forms still log each set by a plain post. In production the imports name the hashed files:
   collectstatic rewrites them (apps/core/static_storage.py); the service worker keeps every
   module for offline use (apps/portal/views/offline.py). */
import { localDate, root } from "./today/page.mjs";
import { draw } from "./today/draw.mjs";
import { placeStatus, describeQueue } from "./today/status.mjs";
import { drawKeptPlan } from "./today/plan.mjs";
import { RETRY_MS, flush } from "./today/sync.mjs";
import { logSet } from "./today/log.mjs";
import { keptMorning, onMorning, sendMorning, showMorningAdvice } from "./today/morning.mjs";
import { setUpTimer } from "./today/timer.mjs";
import { onStep, syncAmountLabels } from "./today/amounts.mjs";

function onSubmit(event) {
  if (onMorning(event)) return;
  if (logSet(event)) flush();
}

function start() {
  root.addEventListener("submit", onSubmit);
  root.addEventListener("click", onStep);
  Array.prototype.forEach.call(root.querySelectorAll("[data-step]"), function (b) { b.hidden = false; });
  root.addEventListener("input", syncAmountLabels);
  // The advice read, the status goes back to the foot of the screen (a status kept while
  // offline stays up until the sets are sent).
  root.addEventListener("focusout", function (event) {
    var box = document.getElementById("sync-status");
    if (box && event.target.matches("[data-pain-advice]")) placeStatus(box);
  });
  Array.prototype.forEach.call(root.querySelectorAll("[data-hold-timer]"), setUpTimer);
  var stale = document.getElementById("stale-notice");
  if (stale) stale.hidden = root.dataset.day === localDate() || navigator.onLine;
  draw(null);
  describeQueue();
  drawKeptPlan().then(flush);
  var morning = keptMorning();
  if (morning && morning.day === localDate()) showMorningAdvice(morning, !navigator.onLine);
  sendMorning();
  window.addEventListener("online", flush);
  window.addEventListener("online", sendMorning);
  window.addEventListener("offline", function () { describeQueue(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush();
  });
  setInterval(flush, RETRY_MS);
}

if (root) start();
