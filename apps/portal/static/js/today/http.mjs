/* Posting JSON to the patient's API (/api/v1/me/...) from the page's session: the sets
   (sync.mjs) and the next-morning answer (morning.mjs). */
import { root } from "./page.mjs";

function csrfToken() {
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  var meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// Every send names the patient whose page kept it: on a family phone another patient may
// have signed in since (in another tab), and the server refuses (409) rather than file this
// patient's sets as theirs. Kept on the phone, they go when this patient signs in again.
export function post(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      "X-CSRFToken": csrfToken(),
      "X-Clamshell-Patient": root.dataset.patient
    },
    body: JSON.stringify(body)
  });
}
