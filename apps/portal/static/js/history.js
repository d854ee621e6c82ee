/* History page. Opened offline it is the copy the service worker kept (sw.js): it says so,
   with the time the copy was made, and how many sets wait on the phone to be sent
   (js/today/queue.mjs keeps them), which the copy cannot count. Back online with sets still waiting,
   it says they go once Today is opened (Today sends them). */
(function () {
  "use strict";

  var root = document.getElementById("history");
  var notice = document.getElementById("kept-notice");
  if (!root || !notice) return;

  // The key js/today/queue.mjs keeps this patient's waiting sets under.
  var QUEUE_KEY = "clamshell.queue." + root.dataset.patient;

  function waiting() {
    try {
      return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]").length;
    } catch (e) {
      return 0;
    }
  }

  function describe() {
    var n = waiting();
    var parts = [];
    if (!navigator.onLine) {
      parts.push("You are offline: this is your history as kept on this phone at " +
        root.dataset.keptAt + ".");
    }
    if (n) {
      var sets = n === 1 ? "1 set saved on this phone is" : n + " sets saved on this phone are";
      var send = n === 1 ? "it" : "them";
      parts.push(sets + " waiting to be sent and " + (n === 1 ? "is" : "are") +
        " not counted here yet" + (navigator.onLine ? ": open Today to send " + send + "." : "."));
    }
    notice.textContent = parts.join(" ");
    notice.hidden = !parts.length;
  }

  describe();
  window.addEventListener("online", describe);
  window.addEventListener("offline", describe);
})();
