// Inbox: show the message of a rejected action (400) in place of the prompt card, instead of
// htmx's default of ignoring error responses.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

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
});
