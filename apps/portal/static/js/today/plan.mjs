/* Today's plan as the server saved it (/api/v1/me/today/), drawn over the page: the copy the
   service worker kept, when the page opens, and a fresh one after sets were sent. */
import { root } from "./page.mjs";
import { draw } from "./draw.mjs";

// The sets saved since this page was kept on the phone: opened offline, Today is the copy
// the service worker kept at the last visit, but the plan it kept after each set sent is
// newer. Without it a set logged and sent since showed as not done, inviting a second log.
// The kept plan is read from the phone's Cache Storage (no request), and drawn only when it
// is the same day's and holds more sets than the page: a page fresh from the network is
// never redrawn from an older plan. (Whether the phone is online cannot tell: a page just
// reloaded offline can still read navigator.onLine as true.)
export function drawKeptPlan() {
  if (!window.caches) return Promise.resolve();
  return caches.match(root.dataset.planUrl)
    .then(function (kept) { return kept ? kept.json() : null; })
    .then(function (plan) {
      if (plan && plan.day === root.dataset.day && setsIn(plan) > setsOnPage()) draw(plan);
    })
    .catch(function () {});
}

function setsIn(plan) {
  return plan.items.reduce(function (n, item) {
    return item.sides.reduce(function (m, side) { return m + side.logs.length; }, n);
  }, 0);
}

function setsOnPage() {
  return Array.prototype.reduce.call(root.querySelectorAll("[data-logged]"), function (n, side) {
    return n + Number(side.dataset.logged || 0);
  }, 0);
}

// After sets were saved: the server's numbers and "Change" links replace the phone's
// "saved on this phone" lines. A plan for another day (the patient's day turned while the
// page was open) reloads the page for that day.
export function refreshPlan() {
  return fetch(root.dataset.planUrl, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (plan) {
      if (plan && plan.day !== root.dataset.day && navigator.onLine) {
        window.location.reload();
        return;
      }
      draw(plan);
    })
    .catch(function () { draw(null); });
}
