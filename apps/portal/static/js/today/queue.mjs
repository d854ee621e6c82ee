/* The queue of logged sets kept on the phone (localStorage), so a set tapped offline, or
   whose send was lost, is never lost: it stays here until the server has answered for it.

   Every set gets a client id (UUID) when it is tapped, and keeps it in the queue. The server
   saves a client id once, so sending a queued set again after a lost answer never makes a
   second log: that id is what makes the retries in sync.mjs safe.

   The key names the patient whose page kept the sets: on a family phone each patient's
   waiting sets stay apart (history.js reads the same key to count them). */
import { root } from "./page.mjs";

var QUEUE_KEY = "clamshell.queue." + (root ? root.dataset.patient : "");

export function uuid() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  var b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
  return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
    "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
}

export function loadQueue() {
  try {
    return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
  } catch (e) {
    return [];
  }
}

// False when the phone has no room: the caller falls back to the plain form post rather than
// pretend the set is kept.
export function saveQueue(queue) {
  try {
    localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
    return true;
  } catch (e) {
    return false;
  }
}

// Read afresh each time: a set tapped while a send was in flight is in the stored queue, not
// in the copy the send started from, and must not be dropped with the sent ones.
export function removeFromQueue(clientId) {
  saveQueue(loadQueue().filter(function (entry) { return entry.client_id !== clientId; }));
}
