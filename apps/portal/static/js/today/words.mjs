/* How the page words a set and a day, in the same words as the server's pages, so a set drawn
   by the phone reads like one the server drew. */

// The same words as the server's list (portal/today_item.html), difficulty included.
export function setText(payloadLike) {
  var amount = payloadLike.reps !== null && payloadLike.reps !== undefined
    ? payloadLike.reps + " reps" : payloadLike.hold_seconds + " s";
  var text = amount + ", pain " + payloadLike.pain;
  return payloadLike.difficulty ? text + ", difficulty " + payloadLike.difficulty : text;
}

// "2026-03-11" as "Wednesday 11 March", as the pages write a day (read as a calendar date,
// whatever the phone's zone).
export function dayInWords(iso) {
  var parts = String(iso).split("-").map(Number);
  var day = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
  if (isNaN(day.getTime())) return iso;
  return day.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });
}
