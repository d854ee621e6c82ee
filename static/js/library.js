/* Exercise library: let htmx show the 400 response for bad filters (it names the parameter)
   instead of silently keeping the old results. */
(function () {
  "use strict";
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
