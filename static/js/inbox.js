// Inbox: show the message of a rejected action (400) in place of the prompt card, instead of
// htmx's default of ignoring error responses.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
