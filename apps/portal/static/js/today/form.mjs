/* Reading a card's log form into a set, and saying on the card what keeps it from being
   logged. The checks are the page's own (a pain chosen, a whole amount), so a set the server
   would refuse for them never joins the queue. */
import { uuid } from "./queue.mjs";

function intOrNull(value) {
  if (value === null || value === undefined || String(value).trim() === "") return null;
  var n = Number(value);
  return Number.isInteger(n) ? n : NaN;
}

// The set as the API takes it, with the client id it keeps through every retry.
export function payloadFrom(form, side) {
  var data = new FormData(form);
  var payload = {
    client_id: uuid(),
    item: data.get("item"),
    performed_on: data.get("performed_on"),
    side: side,
    pain: intOrNull(data.get("pain")),
    difficulty: intOrNull(data.get("difficulty")),
    note: (data.get("note") || "").trim()
  };
  if (form.querySelector('[name="reps"]')) payload.reps = intOrNull(data.get("reps"));
  if (form.querySelector('[name="hold_seconds"]')) {
    payload.hold_seconds = intOrNull(data.get("hold_seconds"));
  }
  return payload;
}

// What keeps a set from being logged, and the field it is about (its name), or null.
export function problemWith(payload) {
  if (payload.pain === null || isNaN(payload.pain)) {
    return { field: "pain", message: "Choose how much pain you felt, from 0 to 10." };
  }
  var amount = "reps" in payload ? payload.reps : payload.hold_seconds;
  if (amount === null || isNaN(amount) || amount < 0) {
    return { field: "reps" in payload ? "reps" : "hold_seconds", message: "Enter the amount you did as a whole number." };
  }
  return null;
}

// The message goes in the card's alert, which is tied to the field it is about (marked
// invalid and described by it) and takes the focus: a screen reader says what is wrong,
// and the next Tab reaches the field. Fixed, the marks go.
export function showFormError(form, problem) {
  var box = form.querySelector("[data-js-errors]");
  if (!box) return;
  Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (field) {
    field.removeAttribute("aria-invalid");
    field.removeAttribute("aria-describedby");
  });
  box.textContent = problem ? problem.message : "";
  box.hidden = !problem;
  if (!problem) return;
  Array.prototype.forEach.call(form.querySelectorAll('[name="' + problem.field + '"]'), function (field) {
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", box.id);
    var fold = field.closest("details");  // the seconds held sit in the fold below the pain
    if (fold) fold.open = true;
  });
  box.focus();
}

// Every set needs its own pain choice: nothing carries over to the next set.
export function clearPain(form) {
  Array.prototype.forEach.call(form.querySelectorAll('input[name="pain"]'), function (radio) {
    radio.checked = false;
  });
}
