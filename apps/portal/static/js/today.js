/* Today page: one-tap logging through /api/v1/me/logs/, an offline queue kept on the phone
   (localStorage) and sent again with the same client ids, in one request to
   /api/v1/me/logs/batch/ when several are waiting, and the hold countdown timer.

   Every set gets a client id (UUID) when it is tapped. The server saves a client id once, so
   sending a queued set again after a lost answer never makes a second log. */
(function () {
  "use strict";

  var root = document.getElementById("today");
  if (!root) return;

  var QUEUE_KEY = "clamshell.queue." + root.dataset.patient;
  var RETRY_MS = 30000;
  var DOUBLE_TAP_MS = 1500;
  var BATCH_MAX = 100;  // The batch endpoint's limit.
  var flushing = false;
  var lastTap = {};
  var failures = [];

  // --- Small helpers ------------------------------------------------------------------------
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function intOrNull(value) {
    if (value === null || value === undefined || String(value).trim() === "") return null;
    var n = Number(value);
    return Number.isInteger(n) ? n : NaN;
  }

  function localDate() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- The queue on the phone ---------------------------------------------------------------
  function loadQueue() {
    try {
      return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
    } catch (e) {
      return [];
    }
  }

  function saveQueue(queue) {
    try {
      localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
      return true;
    } catch (e) {
      return false;
    }
  }

  function removeFromQueue(clientId) {
    saveQueue(loadQueue().filter(function (entry) { return entry.client_id !== clientId; }));
  }

  // --- Reading a form -----------------------------------------------------------------------
  function payloadFrom(form, side) {
    var data = new FormData(form);
    var payload = {
      client_id: uuid(),
      item: data.get("item"),
      performed_on: data.get("performed_on"),
      side: side,
      pain: intOrNull(data.get("pain")),
      difficulty: intOrNull(data.get("difficulty")),
      note: (data.get("note") || "").trim()
    };
    if (form.querySelector('[name="reps"]')) payload.reps = intOrNull(data.get("reps"));
    if (form.querySelector('[name="hold_seconds"]')) {
      payload.hold_seconds = intOrNull(data.get("hold_seconds"));
    }
    return payload;
  }

  // What keeps a set from being logged, and the field it is about (its name), or null.
  function problemWith(payload) {
    if (payload.pain === null || isNaN(payload.pain)) {
      return { field: "pain", message: "Choose how much pain you felt, from 0 to 10." };
    }
    var amount = "reps" in payload ? payload.reps : payload.hold_seconds;
    if (amount === null || isNaN(amount) || amount < 0) {
      return { field: "reps" in payload ? "reps" : "hold_seconds", message: "Enter the amount you did as a whole number." };
    }
    return null;
  }

  // The message goes in the card's alert, which is tied to the field it is about (marked
  // invalid and described by it) and takes the focus: a screen reader says what is wrong,
  // and the next Tab reaches the field. Fixed, the marks go.
  function showFormError(form, problem) {
    var box = form.querySelector("[data-js-errors]");
    if (!box) return;
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (field) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    });
    box.textContent = problem ? problem.message : "";
    box.hidden = !problem;
    if (!problem) return;
    Array.prototype.forEach.call(form.querySelectorAll('[name="' + problem.field + '"]'), function (field) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", box.id);
      var fold = field.closest("details");  // the seconds held sit in the fold below the pain
      if (fold) fold.open = true;
    });
    box.focus();
  }

  // --- Drawing progress ---------------------------------------------------------------------
  // The same words as the server's list (portal/today_item.html), difficulty included.
  function setText(payloadLike) {
    var amount = payloadLike.reps !== null && payloadLike.reps !== undefined
      ? payloadLike.reps + " reps" : payloadLike.hold_seconds + " s";
    var text = amount + ", pain " + payloadLike.pain;
    return payloadLike.difficulty ? text + ", difficulty " + payloadLike.difficulty : text;
  }

  // The card's title ("Clam"), which its controls' names repeat for a screen reader.
  function exerciseName(card) {
    var title = card && card.querySelector("h2");
    return title ? title.textContent.trim() : "";
  }

  // "Change" alone is ambiguous among the page's links for a screen reader listing links: as
  // on the server's list, the link names its side, set and exercise ("Change left set 2 of
  // Clam").
  function changeLink(sideEl, log) {
    var link = el("a", "change-link", "Change");
    var side = sideEl.dataset.side === "both" ? "" : sideEl.dataset.side + " ";
    var name = exerciseName(sideEl.closest("[data-item]"));
    link.href = (root.dataset.editUrl || "").replace("00000000-0000-0000-0000-000000000000", log.public_id);
    link.appendChild(el("span", "visually-hidden", " " + side + "set " + log.set_number + (name ? " of " + name : "")));
    return link;
  }

  function drawSide(sideEl, logs, pending) {
    var list = sideEl.querySelector("[data-set-list]");
    if (logs) {
      list.textContent = "";
      logs.forEach(function (log) {
        var li = el("li", "", "Set " + log.set_number + ": " + setText(log) + " ");
        li.appendChild(changeLink(sideEl, log));
        list.appendChild(li);
      });
      sideEl.dataset.logged = String(logs.length);
    }
    Array.prototype.forEach.call(list.querySelectorAll("li.pending"), function (li) { li.remove(); });
    var logged = Number(sideEl.dataset.logged || 0);
    pending.forEach(function (entry, i) {
      list.appendChild(el("li", "pending", "Set " + (logged + i + 1) + ": " + setText(entry) +
        " (saved on this phone, will sync)"));
    });
    var done = Math.min(logged + pending.length, Number(sideEl.dataset.target));
    sideEl.querySelector("[data-side-done]").textContent = String(done);
    var button = root.querySelector('[data-item="' + sideEl.closest("[data-item]").dataset.item +
      '"] [data-log-side="' + sideEl.dataset.side + '"] [data-next-set]');
    if (button) button.textContent = String(logged + pending.length + 1);
    return { done: done, target: Number(sideEl.dataset.target), logged: logged + pending.length };
  }

  function draw(plan) {
    var queue = loadQueue().filter(function (e) { return e.performed_on === root.dataset.day; });
    var byItem = {};
    if (plan) plan.items.forEach(function (item) { byItem[item.public_id] = item; });
    var dayDone = 0;
    var dayTarget = 0;
    Array.prototype.forEach.call(root.querySelectorAll("article[data-item]"), function (card) {
      var id = card.dataset.item;
      var itemDone = 0;
      var itemTarget = 0;
      var pains = [];
      var due = null;  // the side Enter logs: fewer sets so far, the first when level
      Array.prototype.forEach.call(card.querySelectorAll(".side[data-side]"), function (sideEl) {
        var side = sideEl.dataset.side;
        var fresh = byItem[id] && byItem[id].sides.filter(function (s) { return s.side === side; })[0];
        var pending = queue.filter(function (e) { return e.item === id && e.side === side; });
        var counts = drawSide(sideEl, fresh ? fresh.logs : null, pending);
        if (!due || counts.logged < due.logged) due = { side: side, logged: counts.logged };
        itemDone += counts.done;
        itemTarget += counts.target;
        (fresh ? fresh.logs : []).concat(pending).forEach(function (log) { pains.push(log.pain); });
      });
      var dueButton = card.querySelector("[data-log-due]");
      if (dueButton && due) dueButton.value = due.side;
      // A fresh plan says what is saved (a pain corrected since lowers it); without one, the
      // highest seen stands, so a set sent since the page came keeps its advice.
      var kept = byItem[id] ? 0 : Number(card.dataset.highPain || 0);
      var highest = Math.max.apply(null, pains.concat([kept]));
      card.dataset.highPain = String(highest);
      showStop(card, highest);
      var complete = itemTarget > 0 && itemDone >= itemTarget;
      card.classList.toggle("is-complete", complete);
      var badge = card.querySelector("[data-item-complete]");
      if (badge) badge.hidden = !complete;
      dayDone += itemDone;
      dayTarget += itemTarget;
    });
    var doneEl = root.querySelector("[data-day-done]");
    if (doneEl) doneEl.textContent = String(dayDone);
    var bar = root.querySelector("[data-day-progress]");
    if (bar) bar.value = dayDone;
    var banner = root.querySelector("[data-day-complete]");
    if (!banner) return;
    var text = dayTarget > 0 && dayDone >= dayTarget ? banner.dataset.doneText : "";
    if (banner.textContent !== text) banner.textContent = text;  // a change is announced
  }

  // --- Status line --------------------------------------------------------------------------
  var statusTimer = null;

  // The status is a live region in the page from the start: it is only ever filled and
  // emptied, never hidden, since a region unhidden and filled in one step is missed by some
  // screen readers. Empty, it draws nothing (today.css).
  function setStatusText(box, message) {
    box.textContent = message;
    document.body.classList.toggle("has-sync-status", !!message);
    placeStatus(box);
  }

  // After a painful set the card's advice takes the focus: it is what to read next, and it is
  // nearly a screen tall, so the status at the foot of the screen covered its last lines (the
  // therapist alert, the clinic's number). While the advice has the focus the status sits at
  // the top of the screen instead, and the advice starts just under it.
  function placeStatus(box) {
    var advice = document.activeElement;
    var reading = !!box.textContent && advice && advice.matches &&
      advice.matches("[data-pain-advice]") && !advice.hidden;
    box.classList.toggle("at-top", reading);
    if (!reading) return;
    var under = box.getBoundingClientRect().bottom + 8;
    var top = advice.getBoundingClientRect().top;
    if (top < under) window.scrollBy(0, top - under);
  }

  function showStatus(kind, message) {
    var box = document.getElementById("sync-status");
    if (!box) return;
    clearTimeout(statusTimer);
    box.className = "sync-status " + kind;
    setStatusText(box, message);
    if (kind === "synced") statusTimer = setTimeout(function () { setStatusText(box, ""); }, 5000);
  }

  // A refused set, named so the patient knows which one it was among those that waited,
  // and told what became of it and what to do: it has left the queue, so it is gone from the
  // phone. "Your right set of Clam (10 reps, pain 12) was not saved: Pain must be ... It is
  // no longer kept on this phone: if you did it, tell your therapist."
  function refusal(entry, reason) {
    var title = root.querySelector('article[data-item="' + entry.item + '"] h2');
    var name = title ? title.textContent.trim() : "an exercise";
    var side = entry.side === "left" || entry.side === "right" ? entry.side + " " : "";
    var day = entry.performed_on && entry.performed_on !== root.dataset.day ? " on " + dayInWords(entry.performed_on) : "";
    return "Your " + side + "set of " + name + day + " (" + setText(entry) + ") was not saved: " +
      reason + " It is no longer kept on this phone: if you did it, tell your therapist.";
  }

  // "2026-03-11" as "Wednesday 11 March", as the pages write a day (read as a calendar date,
  // whatever the phone's zone).
  function dayInWords(iso) {
    var parts = String(iso).split("-").map(Number);
    var day = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
    if (isNaN(day.getTime())) return iso;
    return day.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });
  }

  // The server's messages without the field names the API puts in front ("pain: ...").
  function reasonOf(body) {
    var messages = [];
    Object.keys((body && body.errors) || {}).forEach(function (key) {
      messages = messages.concat(body.errors[key]);
    });
    return messages.length ? messages.join(" ") : (body && body.message) || "it was refused.";
  }

  function describeQueue(note) {
    var n = loadQueue().length;
    if (failures.length) {
      showStatus("failed", failures.join(" "));
    } else if (n && !navigator.onLine) {
      showStatus("pending", n + (n === 1 ? " set is" : " sets are") +
        " saved on this phone and will sync when you are back online.");
    } else if (n) {
      showStatus("pending", n + (n === 1 ? " set is" : " sets are") + " saved on this phone. " +
        (note || "Sending…"));
    } else if (note) {
      showStatus("synced", note);
    }
  }

  // --- Talking to the server ----------------------------------------------------------------
  // Every send names the patient whose page kept it: on a family phone another patient may
  // have signed in since (in another tab), and the server refuses (409) rather than file this
  // patient's sets as theirs. Kept on the phone, they go when this patient signs in again.
  function post(url, body) {
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

  // The sets saved since this page was kept on the phone: opened offline, Today is the copy
  // the service worker kept at the last visit, but the plan it kept after each set sent is
  // newer. Without it a set logged and sent since showed as not done, inviting a second log.
  // The kept plan is read from the phone's Cache Storage (no request), and drawn only when it
  // is the same day's and holds more sets than the page: a page fresh from the network is
  // never redrawn from an older plan. (Whether the phone is online cannot tell: a page just
  // reloaded offline can still read navigator.onLine as true.)
  function drawKeptPlan() {
    if (!window.caches) return Promise.resolve();
    return caches.match(root.dataset.planUrl)
      .then(function (kept) { return kept ? kept.json() : null; })
      .then(function (plan) {
        if (plan && plan.day === root.dataset.day && setsIn(plan) > setsOnPage()) draw(plan);
      })
      .catch(function () {});
  }

  function setsIn(plan) {
    return plan.items.reduce(function (n, item) {
      return item.sides.reduce(function (m, side) { return m + side.logs.length; }, n);
    }, 0);
  }

  function setsOnPage() {
    return Array.prototype.reduce.call(root.querySelectorAll("[data-logged]"), function (n, side) {
      return n + Number(side.dataset.logged || 0);
    }, 0);
  }

  function refreshPlan() {
    return fetch(root.dataset.planUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (plan) {
        if (plan && plan.day !== root.dataset.day && navigator.onLine) {
          window.location.reload();
          return;
        }
        draw(plan);
      })
      .catch(function () { draw(null); });
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
      failures.push(refusal(entry, reasonOf(body)));
      return "rejected";
    }
    if (response.status === 401 || response.status === 403) return refusedOutcome(response);
    if (response.status === 409) {
      var conflict = await response.json().catch(function () { return {}; });
      if (!namesClientId(conflict)) return "other-patient";
      removeFromQueue(entry.client_id);
      failures.push(refusal(entry, REUSED_ID));
      return "rejected";
    }
    return "later";
  }

  // A 409 naming client_id: another set is stored under this set's id (the saved set was
  // corrected since, say). Unlike a 409 for another patient's session, no sign-in helps.
  var REUSED_ID = "a set sent earlier from this phone under the same id is saved with other " +
    "values (it may have been corrected since).";

  function namesClientId(body) {
    return Object.keys((body && body.errors) || {}).some(function (key) {
      return /(^|\.)client_id$/.test(key);
    });
  }

  // The indexes a 400 from the batch endpoint names ("logs.3.pain"), with their messages.
  function rejectedIndexes(body) {
    var found = {};
    Object.keys((body && body.errors) || {}).forEach(function (key) {
      var match = key.match(/^logs\.(\d+)\.(.+)$/);
      if (!match) return;
      found[match[1]] = (found[match[1]] || []).concat(body.errors[key]);
    });
    return found;
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
        failures.push(refusal(entries[Number(i)], reused ? REUSED_ID : bad[i].join(" ")));
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

  async function flush() {
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

  // --- The next-morning question -------------------------------------------------------------
  // The answer is kept on the phone and its advice shown at once ("go lighter today" must not
  // wait for a connection), then sent to the API; a form posted offline was lost with the
  // browser's error page. Only the same morning's answer is sent: a later day is another one.
  var MORNING_KEY = "clamshell.morning." + root.dataset.patient;

  function keptMorning() {
    try { return JSON.parse(localStorage.getItem(MORNING_KEY) || "null"); } catch (e) { return null; }
  }

  function showMorningAdvice(answer, kept, moveFocus) {
    var box = root.querySelector("[data-morning]");
    if (!box) return;
    var worse = answer.hip === "worse" || answer.stiffness === "worse";
    var advice = box.querySelector('[data-morning-advice="' + (worse ? "worse" : "fine") + '"]');
    box.querySelector(".morning-check").hidden = true;
    advice.hidden = false;
    advice.querySelector("[data-morning-kept]").hidden = !kept;
    if (worse) goLighter();
    if (moveFocus) advice.focus();  // the question is gone: the advice is read next
  }

  // "Go lighter today" (CLINICAL.md): each amount that started at the patient's best recent
  // count now offers the prescription, as the server draws it after a "worse" answer (an
  // empty box for a dose to fatigue). Once: the patient may then lower it further.
  function goLighter() {
    Array.prototype.forEach.call(root.querySelectorAll("[data-lighter-morning]"), function (note) {
      note.removeAttribute("data-lighter-morning");
      note.hidden = false;
      var input = note.closest("[data-item]").querySelector("[data-amount]");
      if (!input) return;
      input.value = note.dataset.prescribed;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  function sendMorning() {
    var answer = keptMorning();
    var form = root.querySelector("[data-morning-form]");
    if (!answer) return Promise.resolve();
    if (answer.day !== localDate()) { localStorage.removeItem(MORNING_KEY); return Promise.resolve(); }
    if (!form || !navigator.onLine) return Promise.resolve();
    return post(form.dataset.apiUrl, { hip: answer.hip, stiffness: answer.stiffness })
      .then(function (response) {
        // Saved, or already answered (200 with the first answer): done. A refusal (400, the
        // question no longer applies) is not sent again; a 401/403 waits for a sign-in, and a
        // 409 (another patient signed in on this phone) for this patient's.
        if (response.ok || response.status === 400) localStorage.removeItem(MORNING_KEY);
        if (response.ok) showMorningAdvice(answer, false);
      })
      .catch(function () {});
  }

  function onMorning(event) {
    var form = event.target.closest("[data-morning-form]");
    if (!form) return false;
    event.preventDefault();
    var hip = form.querySelector('input[name="hip"]:checked');
    var stiffness = form.querySelector('input[name="stiffness"]:checked');
    if (!hip || !stiffness) return true;  // the browser already asked for both
    var answer = { day: localDate(), hip: hip.value, stiffness: stiffness.value };
    localStorage.setItem(MORNING_KEY, JSON.stringify(answer));
    showMorningAdvice(answer, !navigator.onLine, true);
    sendMorning();
    return true;
  }

  // --- Logging a set ------------------------------------------------------------------------
  function onSubmit(event) {
    if (onMorning(event)) return;
    var form = event.target.closest("[data-log-form]");
    if (!form) return;
    event.preventDefault();
    var button = event.submitter || document.activeElement;
    // Without event.submitter, Enter leaves the reps box focused: its number is no side.
    if (!button || button.type !== "submit") button = form.querySelector("[data-log-due]");
    var side = button && button.value ? button.value : "both";
    var key = form.querySelector('[name="item"]').value + ":" + side;
    if (Date.now() - (lastTap[key] || 0) < DOUBLE_TAP_MS) return;  // A double tap logs once.
    lastTap[key] = Date.now();
    var payload = payloadFrom(form, side);
    var problem = problemWith(payload);
    showFormError(form, problem);
    if (problem) return;
    var queue = loadQueue();
    queue.push(payload);
    if (!saveQueue(queue)) {
      // No room on the phone: fall back to the plain form post.
      form.submit();
      return;
    }
    failures = [];
    clearPain(form);
    var card = form.closest("[data-item]");
    var wasStopped = card.dataset.stopped === "yes";
    draw(null);
    // The form the patient was in has just folded away: the advice is what to read next.
    if (!wasStopped && card.dataset.stopped === "yes") card.querySelector("[data-pain-advice]").focus();
    describeQueue();
    flush();
  }

  // Every set needs its own pain choice: nothing carries over to the next set.
  function clearPain(form) {
    Array.prototype.forEach.call(form.querySelectorAll('input[name="pain"]'), function (radio) {
      radio.checked = false;
    });
  }

  // Pain above the clinic's hold-back level ("too much") means no more sets of that exercise
  // today (CLINICAL.md): the advice shows and the log form folds away, at once and offline
  // too. The form stays one tap away (its summary) for a set done before the patient stopped.
  // It folds once, when the pain first goes over, so a form opened again stays open while
  // those sets are logged; a pain corrected below the level (a fresh plan) unfolds it. At the
  // clinic's alert level (7) the advice also says the therapist is told today, as they are.
  function showStop(card, highest) {
    var stopped = highest > Number(root.dataset.tooMuchAbove || 5);
    var alerted = highest >= Number(root.dataset.alertLevel || 7);
    var advice = card.querySelector("[data-pain-advice]");
    var area = card.querySelector("[data-log-area]");
    if (advice) {
      var shown = advice.querySelector("[data-pain-advice-value]");
      if (stopped && shown.textContent !== String(highest)) shown.textContent = String(highest);
      advice.hidden = !stopped;
      advice.querySelector("[data-pain-alert]").hidden = !alerted;
      advice.querySelector("[data-pain-seen]").hidden = alerted;
    }
    if (area) {
      area.querySelector("[data-log-area-summary]").hidden = !stopped;
      if (stopped !== (card.dataset.stopped === "yes")) area.open = !stopped;
    }
    card.dataset.stopped = stopped ? "yes" : "";
  }

  // --- Hold timer ---------------------------------------------------------------------------
  function setUpTimer(box) {
    var seconds = Number(box.dataset.seconds);
    var display = box.querySelector("[data-timer-display]");
    var announce = box.querySelector("[data-timer-announce]");
    var button = box.querySelector("[data-timer-start]");
    // Only the visible words change: the exercise's name after them stays for a screen reader.
    var label = button.querySelector("[data-timer-label]") || button;
    var startLabel = label.textContent;
    var tick = null;
    box.hidden = false;

    function stop(message) {
      clearInterval(tick);
      tick = null;
      label.textContent = startLabel;
      if (message) announce.textContent = message;
    }

    button.addEventListener("click", function () {
      if (tick) { stop("Timer stopped."); display.textContent = String(seconds); return; }
      var end = Date.now() + seconds * 1000;
      display.classList.remove("done");
      display.textContent = String(seconds);
      label.textContent = "Stop the timer";
      announce.textContent = "Hold for " + seconds + " seconds.";
      tick = setInterval(function () {
        var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
        display.textContent = String(left);
        if (left > 0) return;
        display.classList.add("done");
        if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
        // A pain chosen before the hold stays chosen: asking for it again would send the
        // patient looking for a step they have done.
        var form = box.closest("[data-log-form]");
        var chosen = form && form.querySelector('input[name="pain"]:checked');
        stop(chosen ? "Hold done. Log the set." : "Hold done. Choose your pain and log the set.");
      }, 250);
    });
  }

  // --- Start --------------------------------------------------------------------------------
  function syncAmountLabels(event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-amount]")) return;
    var form = input.closest("[data-log-form]");
    var unit = input.name === "reps" ? " reps" : " s hold";
    // As the server words an empty count (a dose to fatigue): the patient enters it.
    var text = input.value === "" && input.name === "reps" ? "your count" : (input.value || "0") + unit;
    Array.prototype.forEach.call(form.querySelectorAll("[data-amount-label]"), function (label) {
      label.textContent = text;
    });
  }

  // Large - / + steppers beside the reps field (shown only when this script runs).
  function onStep(event) {
    var button = event.target.closest && event.target.closest("[data-step]");
    if (!button) return;
    var input = button.closest(".stepper").querySelector("[data-amount]");
    var value = Math.max(0, Math.min(200, (Number(input.value) || 0) + Number(button.dataset.step)));
    input.value = String(value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function start() {
    root.addEventListener("submit", onSubmit);
    root.addEventListener("click", onStep);
    Array.prototype.forEach.call(root.querySelectorAll("[data-step]"), function (b) { b.hidden = false; });
    root.addEventListener("input", syncAmountLabels);
    // The advice read, the status goes back to the foot of the screen (a status kept while
    // offline stays up until the sets are sent).
    root.addEventListener("focusout", function (event) {
      var box = document.getElementById("sync-status");
      if (box && event.target.matches("[data-pain-advice]")) placeStatus(box);
    });
    Array.prototype.forEach.call(root.querySelectorAll("[data-hold-timer]"), setUpTimer);
    var stale = document.getElementById("stale-notice");
    if (stale) stale.hidden = root.dataset.day === localDate() || navigator.onLine;
    draw(null);
    describeQueue();
    drawKeptPlan().then(flush);
    var morning = keptMorning();
    if (morning && morning.day === localDate()) showMorningAdvice(morning, !navigator.onLine);
    sendMorning();
    window.addEventListener("online", flush);
    window.addEventListener("online", sendMorning);
    window.addEventListener("offline", function () { describeQueue(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") flush();
    });
    setInterval(flush, RETRY_MS);
  }

  start();
})();
