/* The Today page's root element and the day it is drawn for. Every module reads the page's
   data (the patient, the day, the API URLs) from the root's data attributes, which the server
   fills in; today.mjs starts nothing when the root is missing, so the others may assume it. */

export var root = document.getElementById("today");

// The phone's own date, compared with the page's day (root.dataset.day): a page kept
// overnight, or a morning answer given yesterday, is for another day.
export function localDate() {
  var d = new Date();
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
}
