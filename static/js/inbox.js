// Inbox: show the message of a rejected action (400) in place of the prompt card, instead of
// htmx's default of ignoring error responses.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// What waits on this page: open prompts and unseen alerts (both marked data-open).
function waitingHere() {
  return document.querySelectorAll("#main [data-open]").length;
}
var waitingBefore = null;
document.addEventListener("htmx:beforeSwap", function () {
  waitingBefore = waitingHere();
});

// The staff menu's count ("Inbox 3 waiting", base.html) goes down by what a decision or a
// "seen" took off this page; at none it goes.
function followMenuCount() {
  var badge = document.querySelector("[data-inbox-waiting]");
  if (!badge || waitingBefore === null) {
    return;
  }
  var number = badge.querySelector("[data-inbox-waiting-count]");
  var left = Math.max(0, Number(number.textContent) - (waitingBefore - waitingHere()));
  number.textContent = String(left);
  badge.hidden = left === 0;
  waitingBefore = null;
}

// The card a decision replaced is a new element: the button that was pressed is gone, so focus
// would fall to the page. Focus moves to the new card's heading (which names the patient and
// the decision) or to the alert's "marked as seen" line, and the waiting count follows.
document.addEventListener("htmx:afterSettle", function (event) {
  var target = event.detail && event.detail.target;
  var id = target && target.id;
  if (!id || !(id.indexOf("prompt-") === 0 || id.indexOf("alert-") === 0)) {
    return;
  }
  var card = document.getElementById(id);
  if (card) {
    var heading = document.getElementById(id + "-title");
    (heading || card).focus();
  }
  var count = document.getElementById("prompts-count");
  var section = document.getElementById("prompts");
  if (count && section) {
    count.textContent = section.querySelectorAll("[data-open]").length;
  }
  followMenuCount();
});
