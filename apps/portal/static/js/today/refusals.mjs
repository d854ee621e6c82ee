/* Reading the server's refusal of a set, and wording it for the patient. A refused set leaves
   the queue (sync.mjs): sent again it would be refused again, for ever. */
import { root } from "./page.mjs";
import { dayInWords, setText } from "./words.mjs";

// A 409 naming client_id: another set is stored under this set's id (the saved set was
// corrected since, say). Unlike a 409 for another patient's session, no sign-in helps.
export var REUSED_ID = "a set sent earlier from this phone under the same id is saved with other " +
  "values (it may have been corrected since).";

// A refused set, named so the patient knows which one it was among those that waited,
// and told what became of it and what to do: it has left the queue, so it is gone from the
// phone. "Your right set of Clam (10 reps, pain 12) was not saved: Pain must be ... It is
// no longer kept on this phone: if you did it, tell your therapist."
export function refusal(entry, reason) {
  var title = root.querySelector('article[data-item="' + entry.item + '"] h2');
  var name = title ? title.textContent.trim() : "an exercise";
  var side = entry.side === "left" || entry.side === "right" ? entry.side + " " : "";
  var day = entry.performed_on && entry.performed_on !== root.dataset.day ? " on " + dayInWords(entry.performed_on) : "";
  return "Your " + side + "set of " + name + day + " (" + setText(entry) + ") was not saved: " +
    reason + " It is no longer kept on this phone: if you did it, tell your therapist.";
}

// The server's messages without the field names the API puts in front ("pain: ...").
export function reasonOf(body) {
  var messages = [];
  Object.keys((body && body.errors) || {}).forEach(function (key) {
    messages = messages.concat(body.errors[key]);
  });
  return messages.length ? messages.join(" ") : (body && body.message) || "it was refused.";
}

export function namesClientId(body) {
  return Object.keys((body && body.errors) || {}).some(function (key) {
    return /(^|\.)client_id$/.test(key);
  });
}

// The indexes a 400 from the batch endpoint names ("logs.3.pain"), with their messages.
export function rejectedIndexes(body) {
  var found = {};
  Object.keys((body && body.errors) || {}).forEach(function (key) {
    var match = key.match(/^logs\.(\d+)\.(.+)$/);
    if (!match) return;
    found[match[1]] = (found[match[1]] || []).concat(body.errors[key]);
  });
  return found;
}
