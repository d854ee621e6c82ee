/* Sending the queue on the phone to the server, and retrying until each set has an answer.
   A single waiting set goes to /api/v1/me/logs/; several go in one request to
   /api/v1/me/logs/batch/, which the server saves all or nothing. A set leaves the queue only
   once the server has saved it (or refused it for good), and every retry sends the same
   client id, which the server saves once: so a set is never lost, and never saved twice,
   whatever is lost on the way. */
import { root } from "./page.mjs";
import { loadQueue, removeFromQueue } from "./queue.mjs";
import { post } from "./http.mjs";
import { addFailure, describeQueue } from "./status.mjs";
import { refreshPlan } from "./plan.mjs";
import { REUSED_ID, namesClientId, reasonOf, refusal, rejectedIndexes } from "./refusals.mjs";

// How often today.mjs tries the queue again while the page is open: a set whose send failed
// waits at most this long, even when no "online" event comes.
export var RETRY_MS = 30000;
var BATCH_MAX = 100;  // The batch endpoint's limit.
var flushing = false;

// The session is not this page's patient's (or not anyone's): keep the sets, ask for a sign-in.
// Or her clinic's account is suspended: keep them too, until it is resumed.
function waitsForSignIn(outcome) {
  return outcome === "signed-out" || outcome === "other-patient" || outcome === "suspended";
}

// A 401 or 403. The server names a suspended clinic ("code"): her session still holds, so
// "sign in again" would be wrong; its words are shown instead, and the sets wait on the
// phone to go out (each once, by its client id) when it is resumed.
var suspendedWords = "";

async function refusedOutcome(response) {
  var body = await response.json().catch(function () { return {}; });
  if (!body || body.code !== "clinic_suspended") return "signed-out";
  suspendedWords = body.message || "";
  return "suspended";
}

function send(entry) {
  return post(root.dataset.logsUrl, entry);
}

// Sets queued while offline go in one request: the server saves a batch all or nothing.
function sendBatch(entries) {
  return post(root.dataset.logsUrl + "batch/", { logs: entries });
}

async function handle(entry, response) {
  if (response.status === 200 || response.status === 201) {
    removeFromQueue(entry.client_id);
    return "sent";
  }
  if (response.status === 400 || response.status === 404) {
    // The server will never accept this set: drop it and say why.
    var body = await response.json().catch(function () { return {}; });
    removeFromQueue(entry.client_id);
    addFailure(refusal(entry, reasonOf(body)));
    return "rejected";
  }
  if (response.status === 401 || response.status === 403) return refusedOutcome(response);
  if (response.status === 409) {
    var conflict = await response.json().catch(function () { return {}; });
    if (!namesClientId(conflict)) return "other-patient";
    removeFromQueue(entry.client_id);
    addFailure(refusal(entry, REUSED_ID));
    return "rejected";
  }
  return "later";
}

async function handleBatch(entries, response) {
  if (response.status === 200) {
    entries.forEach(function (entry) { removeFromQueue(entry.client_id); });
    return { outcome: "sent", count: entries.length };
  }
  if (response.status === 400 || response.status === 409) {
    // Nothing was saved: drop the sets the server will never accept, send the rest again.
    // A 409 names sets only when their ids are stored with other values (REUSED_ID).
    var reused = response.status === 409;
    var bad = rejectedIndexes(await response.json().catch(function () { return {}; }));
    var indexes = Object.keys(bad);
    if (!indexes.length) return { outcome: reused ? "other-patient" : "one-by-one", count: 0 };
    indexes.forEach(function (i) {
      removeFromQueue(entries[Number(i)].client_id);
      addFailure(refusal(entries[Number(i)], reused ? REUSED_ID : bad[i].join(" ")));
    });
    return { outcome: "retry", count: indexes.length };
  }
  if (response.status === 404) return { outcome: "one-by-one", count: 0 };
  if (response.status === 401 || response.status === 403) {
    return { outcome: await refusedOutcome(response), count: 0 };
  }
  return { outcome: "later", count: 0 };
}

async function flushOneByOne(queue) {
  var sent = 0;
  var outcome = "";
  for (var i = 0; i < queue.length; i++) {
    outcome = await handle(queue[i], await send(queue[i]));
    if (outcome === "sent" || outcome === "rejected") sent++;
    if (waitsForSignIn(outcome) || outcome === "later") break;
  }
  return { outcome: outcome, count: sent };
}

// A single set (the one-tap log while online) goes to the single endpoint; a queue of
// several goes in batches of up to BATCH_MAX.
async function flushQueue() {
  var sent = 0;
  var result = { outcome: "", count: 0 };
  for (var round = 0; round < 50; round++) {
    var queue = loadQueue();
    if (!queue.length) break;
    if (queue.length === 1) return addSent(await flushOneByOne(queue), sent);
    var chunk = queue.slice(0, BATCH_MAX);
    result = await handleBatch(chunk, await sendBatch(chunk));
    sent += result.count;
    if (result.outcome === "one-by-one") return addSent(await flushOneByOne(chunk), sent);
    if (waitsForSignIn(result.outcome) || result.outcome === "later") break;
  }
  return { outcome: result.outcome, count: sent };
}

function addSent(result, sent) {
  return { outcome: result.outcome, count: result.count + sent };
}

// Sends whatever waits, one flush at a time (a second call during a send returns at once),
// then says on the status line how it went.
export async function flush() {
  if (flushing || !loadQueue().length) return;
  if (!navigator.onLine) { describeQueue(); return; }
  flushing = true;
  var result = { outcome: "", count: 0 };
  try {
    result = await flushQueue();
  } catch (e) {
    result.outcome = "later";  // No connection after all: keep everything for the next try.
  } finally {
    flushing = false;
  }
  var left = loadQueue().length;
  var one = left === 1;
  if (result.outcome === "signed-out") {
    // Whose link was renewed signs in with the new one (or a one-time link by email).
    describeQueue("Sign in again (your personal link, or a link by email) to send " +
      (one ? "it." : "them."));
  } else if (result.outcome === "suspended") {
    describeQueue(suspendedWords + " " + (one ? "It is" : "They are") + " sent then.");
  } else if (result.outcome === "other-patient") {
    describeQueue("Someone else is signed in on this phone now: open your own personal link " +
      "to send " + (one ? "it." : "them."));
  } else if (result.outcome === "later") {
    describeQueue((one ? "It" : "They") + " will be sent when the connection is back.");
  } else {
    // Sets tapped during this flush are still to go ("Sending…"), not all saved.
    describeQueue(result.count && !left ? "All your sets are saved." : "");
  }
  if (result.count) await refreshPlan();
  // A set tapped while this flush was sending found it busy and waited: send it now rather
  // than at the next retry (up to RETRY_MS later). Only after progress, so never a loop.
  if (result.count && !waitsForSignIn(result.outcome) && result.outcome !== "later" && left) {
    flush();
  }
}
