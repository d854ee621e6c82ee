/* The next-morning question ("How is your hip today?"). The answer is kept on the phone and
   its advice shown at once ("go lighter today" must not wait for a connection), then sent to
   the API; a form posted offline was lost with the browser's error page. Only the same
   morning's answer is sent: a later day is another one. */
import { localDate, root } from "./page.mjs";
import { post } from "./http.mjs";

var MORNING_KEY = "clamshell.morning." + (root ? root.dataset.patient : "");

export function keptMorning() {
  try { return JSON.parse(localStorage.getItem(MORNING_KEY) || "null"); } catch (e) { return null; }
}

export function showMorningAdvice(answer, kept, moveFocus) {
  var box = root.querySelector("[data-morning]");
  if (!box) return;
  var worse = answer.hip === "worse" || answer.stiffness === "worse";
  var advice = box.querySelector('[data-morning-advice="' + (worse ? "worse" : "fine") + '"]');
  box.querySelector(".morning-check").hidden = true;
  advice.hidden = false;
  advice.querySelector("[data-morning-kept]").hidden = !kept;
  if (worse) goLighter();
  if (moveFocus) advice.focus();  // the question is gone: the advice is read next
}

// "Go lighter today" (CLINICAL.md): each amount that started at the patient's best recent
// count now offers the prescription, as the server draws it after a "worse" answer (an
// empty box for a dose to fatigue). Once: the patient may then lower it further.
function goLighter() {
  Array.prototype.forEach.call(root.querySelectorAll("[data-lighter-morning]"), function (note) {
    note.removeAttribute("data-lighter-morning");
    note.hidden = false;
    var input = note.closest("[data-item]").querySelector("[data-amount]");
    if (!input) return;
    input.value = note.dataset.prescribed;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

export function sendMorning() {
  var answer = keptMorning();
  var form = root.querySelector("[data-morning-form]");
  if (!answer) return Promise.resolve();
  if (answer.day !== localDate()) { localStorage.removeItem(MORNING_KEY); return Promise.resolve(); }
  if (!form || !navigator.onLine) return Promise.resolve();
  return post(form.dataset.apiUrl, { hip: answer.hip, stiffness: answer.stiffness })
    .then(function (response) {
      // Saved, or already answered (200 with the first answer): done. A refusal (400, the
      // question no longer applies) is not sent again; a 401/403 waits for a sign-in, and a
      // 409 (another patient signed in on this phone) for this patient's.
      if (response.ok || response.status === 400) localStorage.removeItem(MORNING_KEY);
      if (response.ok) showMorningAdvice(answer, false);
    })
    .catch(function () {});
}

// Handles the morning form's submit; false when the submit is another form's.
export function onMorning(event) {
  var form = event.target.closest("[data-morning-form]");
  if (!form) return false;
  event.preventDefault();
  var hip = form.querySelector('input[name="hip"]:checked');
  var stiffness = form.querySelector('input[name="stiffness"]:checked');
  if (!hip || !stiffness) return true;  // the browser already asked for both
  var answer = { day: localDate(), hip: hip.value, stiffness: stiffness.value };
  localStorage.setItem(MORNING_KEY, JSON.stringify(answer));
  showMorningAdvice(answer, !navigator.onLine, true);
  sendMorning();
  return true;
}
