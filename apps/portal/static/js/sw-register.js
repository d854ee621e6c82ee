/* Registers the service worker that keeps the patient's pages and today's plan on the phone.
   It is served from /sw.js so that its scope can be the whole site. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      // Without a worker the page still works online; nothing to tell the patient.
    });
  });
})();
