/* The amount of a set (reps, or seconds held): the large - / + steppers beside its box, and
   the words on the card's log buttons that repeat it, kept in step as it changes. */

export function syncAmountLabels(event) {
  var input = event.target;
  if (!input.matches || !input.matches("[data-amount]")) return;
  var form = input.closest("[data-log-form]");
  var unit = input.name === "reps" ? " reps" : " s hold";
  // As the server words an empty count (a dose to fatigue): the patient enters it.
  var text = input.value === "" && input.name === "reps" ? "your count" : (input.value || "0") + unit;
  Array.prototype.forEach.call(form.querySelectorAll("[data-amount-label]"), function (label) {
    label.textContent = text;
  });
}

// Large - / + steppers beside the reps field (shown only when this script runs).
export function onStep(event) {
  var button = event.target.closest && event.target.closest("[data-step]");
  if (!button) return;
  var input = button.closest(".stepper").querySelector("[data-amount]");
  var value = Math.max(0, Math.min(200, (Number(input.value) || 0) + Number(button.dataset.step)));
  input.value = String(value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
}
