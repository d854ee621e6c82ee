/* Questionnaire page: the answers are saved as they are chosen (PATCH answers, all of them
   each time, so one whose save failed goes again), so an interrupted questionnaire resumes,
   and an answer not saved is said on the page; "Send" posts everything once with the page's
   submission_id. The service worker keeps the questionnaires due on Today, so the page also
   opens offline: then "Send" (or "Save and finish later") keeps the answers on the phone, one
   entry per questionnaire (a newer one replaces it), shown again if the page is reopened,
   and sent when the connection returns (here or on Today). A retry with the same
   submission_id never makes a second submission, and the server takes one submission per
   questionnaire whatever the id. Each entry names its patient, and waits for that patient's
   own session: a phone signed out meanwhile (401/403) or signed in by another patient (a
   family phone: 409) keeps it. Without this script the form posts normally. */
(function () {
  "use strict";
  var QUEUE_KEY = "clamshell.questionnaires";
  var form = document.getElementById("questionnaire");
  var status = document.getElementById("q-status");
  var KEPT = "You are offline: your answers are kept on this phone and will be sent when you are back online.";
  var flushing = false;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; }
  }
  function save(queue) {
    try { localStorage.setItem(QUEUE_KEY, JSON.stringify(queue)); } catch (e) { /* full */ }
  }
  var said = 0;  // how many messages so far: a "Saved." never covers a newer one
  function say(text) {
    said += 1;
    if (status) status.textContent = text;
  }
  // A refusal's words for the patient: the messages alone. The API's "message" puts each
  // field's key before its words ("activity_4: You rated…"), which means nothing to them.
  function refusal(data, otherwise) {
    var messages = [];
    Object.keys(data.errors || {}).forEach(function (key) { messages = messages.concat(data.errors[key]); });
    return messages.length ? messages.join(" ") : (data.message || otherwise || "please try again.");
  }
  // One entry per questionnaire: the newest answers replace older ones, except that a
  // submission waiting to be sent is never replaced by a mere "finish later".
  function keep(entry) {
    var queue = load();
    var waiting = queue.filter(function (e) { return e.questionnaire === entry.questionnaire; })[0];
    if (waiting && waiting.method === "POST" && entry.method === "PATCH") return;
    save(queue.filter(function (e) { return e.questionnaire !== entry.questionnaire; }).concat([entry]));
  }
  // The server refuses (409) answers named for another patient than the one signed in.
  function send(url, method, body, patient) {
    var headers = { "Content-Type": "application/json", "X-CSRFToken": csrfToken() };
    if (patient) headers["X-Clamshell-Patient"] = patient;
    return fetch(url, { method: method, credentials: "same-origin", headers: headers, body: JSON.stringify(body) });
  }
  // Not refused: the session is not this entry's patient's. Kept until theirs is.
  function waitsForSignIn(response) {
    return response.status === 401 || response.status === 403 || response.status === 409;
  }
  // A 409 naming submission_id is not about the session: this submission went before with
  // other answers, which are kept. Refused for good: said, and it leaves the queue.
  function otherPatient(response) {
    if (response.status !== 409) return Promise.resolve(false);
    return response.clone().json().then(function (data) {
      return !(data.errors && data.errors.submission_id);
    }, function () { return true; });
  }
  var OTHER_PATIENT = "Your answers are kept on this phone. Someone else is signed in on this " +
    "phone now: open your own personal link to send them.";
  function signInAgain(entry) {
    return "Your answers to " + (entry.title || "a questionnaire") + " are kept on this phone. " +
      "Sign in again (your personal link, or a link by email) to send them.";
  }
  // A 403 naming a suspended clinic: her session holds (signing in again would be refused
  // too), so the server's words say what to do, and the answers wait until it is resumed.
  async function suspendedWords(response) {
    if (response.status !== 403) return "";
    var body = await response.clone().json().catch(function () { return null; });
    return body && body.code === "clinic_suspended" ? body.message || "" : "";
  }
  // What the page says of answers kept because the server would not take them from this
  // session: another patient's (409), a suspended clinic's, or nobody's (signed out).
  async function keptWords(response, entry) {
    if (response.status === 409) return OTHER_PATIENT;
    var suspended = await suspendedWords(response);
    if (!suspended) return signInAgain(entry);
    return suspended + " Your answers to " + (entry.title || "a questionnaire") +
      " are kept on this phone and sent then.";
  }
  function onThisPage(entry) {
    return form && form.dataset.questionnaire === entry.questionnaire;
  }
  // Today lists the questionnaires due: one whose answers wait on the phone says so, and once
  // they are sent from here, says that (the list is the server's from before they went).
  var sentFromHere = {};
  function markWaiting() {
    var queue = load();
    document.querySelectorAll("a[data-questionnaire] [data-waiting]").forEach(function (mark) {
      var id = mark.closest("a").dataset.questionnaire;
      var entry = queue.filter(function (e) { return e.questionnaire === id; })[0];
      var text = "";
      if (entry) {
        text = entry.method === "POST" ? " (answers saved on this phone, waiting to be sent)"
          : " (answers kept on this phone)";
      } else if (sentFromHere[id]) {
        text = " (sent to your therapist)";
      }
      if (mark.textContent !== text) mark.textContent = text;
    });
  }
  async function flush() {
    if (flushing) return;
    flushing = true;
    var sent = [];
    try {
      var queue = load();
      for (var i = 0; i < queue.length; i++) {
        var entry = queue[i];
        if (entry.method === "PATCH" && onThisPage(entry)) continue;  // this page saves it
        var response;
        try { response = await send(entry.url, entry.method || "POST", entry.body, entry.patient); } catch (e) { break; }
        if (response.status >= 500) continue;  // try again at the next chance
        if (await otherPatient(response)) {
          // Another patient's answers: kept, and not a word on this patient's page (they
          // cannot act on it); the entries after it may be this patient's.
          if (onThisPage(entry)) say(OTHER_PATIENT);
          continue;
        }
        if (response.status !== 409 && waitsForSignIn(response)) {
          say(await keptWords(response, entry));
          break;  // nobody is signed in, or nobody of her clinic may be: the rest wait too
        }
        // Sent, or refused for good (4xx): either way it leaves the queue.
        sent.push(entry);
        if (response.ok && entry.method !== "PATCH") sentFromHere[entry.questionnaire] = true;
        if (!onThisPage(entry)) {
          // Sent from Today: a refusal must not vanish unseen (the patient thinks it went).
          if (!response.ok) {
            var reason = await response.json().catch(function () { return {}; });
            say("Your answers to " + (entry.title || "a questionnaire") + " could not be sent: " +
              refusal(reason, "please open it and try again."));
          }
          continue;
        }
        if (response.ok) {
          say("Your answers were sent to your therapist.");
        } else {
          var data = await response.json().catch(function () { return {}; });
          say("Your answers could not be sent: " + refusal(data));
        }
      }
    } finally {
      save(load().filter(function (e) {
        return !sent.some(function (s) { return s.questionnaire === e.questionnaire && s.url === e.url && JSON.stringify(s.body) === JSON.stringify(e.body); });
      }));
      flushing = false;
      markWaiting();
    }
  }
  window.addEventListener("online", flush);
  markWaiting();
  if (navigator.onLine && load().length) flush();

  if (!form) return;

  function collect() {
    var answers = {};
    form.querySelectorAll('input[type="radio"]:checked').forEach(function (input) {
      answers[input.name] = Number(input.value);
    });
    var names = [];
    form.querySelectorAll('input[name^="name_"]').forEach(function (input) { names.push(input.value); });
    // A question the patient cleared (one they may leave open, HOOS-12) goes as null, so
    // the answer saved before is removed rather than kept.
    form.querySelectorAll("fieldset.question[data-cleared]").forEach(function (group) {
      if (!(group.dataset.key in answers)) answers[group.dataset.key] = null;
    });
    var body = { answers: answers };
    // By slot, empty ones too: activity_<n> rates the name in slot n (the server closes gaps).
    if (names.length) body.activities = names;
    return body;
  }

  // Reopened offline: show what is waiting on the phone rather than the page's older answers.
  function restore() {
    var waiting = load().filter(function (e) { return e.questionnaire === form.dataset.questionnaire; })[0];
    if (!waiting) return;
    Object.keys(waiting.body.answers || {}).forEach(function (key) {
      if (waiting.body.answers[key] === null) {  // cleared on the phone
        var group = form.querySelector('fieldset.question[data-key="' + key + '"]');
        if (group) {
          group.querySelectorAll('input[type="radio"]').forEach(function (i) { i.checked = false; });
          group.dataset.cleared = "";
        }
        return;
      }
      var input = form.querySelector('input[type="radio"][name="' + key + '"][value="' + waiting.body.answers[key] + '"]');
      if (input) input.checked = true;
    });
    (waiting.body.activities || []).forEach(function (name, i) {
      var input = form.querySelector('input[name="name_' + (i + 1) + '"]');
      if (input) input.value = name;
    });
    if (waiting.method === "POST") {
      form.querySelector('input[name="submission_id"]').value = waiting.body.submission_id;
      say(KEPT);
    }
  }
  restore();

  // PSFS, first time: each rating names the activity as the patient types it, so they rate
  // "Activity 2: Getting out of a car" without scrolling back to see what activity 2 was.
  function nameRatings() {
    form.querySelectorAll("[data-named-by]").forEach(function (group) {
      var input = form.querySelector('input[name="' + group.dataset.namedBy + '"]');
      var slot = group.querySelector("[data-activity-name]");
      var name = input ? input.value.trim() : "";
      if (slot) slot.textContent = name ? ": " + name : "";
    });
  }
  form.addEventListener("input", function (event) {
    if (event.target.name && event.target.name.indexOf("name_") === 0) nameRatings();
  });
  nameRatings();

  // The questions the server requires answered: checked here too, so an offline submission
  // is not refused once sent. Every question, or (HOOS-12) enough of each scale's.
  function unanswered() {
    var open = Array.prototype.filter.call(form.querySelectorAll("fieldset.question[data-required]"), function (group) {
      // A PSFS activity being named counts once the patient has named it.
      var name = group.dataset.name && form.querySelector('input[name="' + group.dataset.name + '"]');
      if (name && !name.value.trim()) return false;
      return !group.querySelector('input[type="radio"]:checked');
    });
    var minimums = form.dataset.scaleMinimums ? JSON.parse(form.dataset.scaleMinimums) : {};
    Object.keys(minimums).forEach(function (scale) {
      var groups = Array.prototype.slice.call(form.querySelectorAll('fieldset.question[data-scale="' + scale + '"]'));
      var empty = groups.filter(function (group) { return !group.querySelector('input[type="radio"]:checked'); });
      var short = minimums[scale] - (groups.length - empty.length);
      open = open.concat(empty.slice(0, Math.max(0, short)));
    });
    return open;
  }

  // A question still open when "Send" is tapped is marked invalid (each of its buttons) and
  // described by a message of its own, so a screen reader says why the focus landed there;
  // answered, the marks go. As the server's fields do (templates/includes/field.html).
  var STILL_OPEN = "Please choose an answer to this question.";

  function markOpen(group) {
    var message = group.querySelector("[data-still-open]");
    if (!message) {
      message = document.createElement("p");
      message.className = "field-error";
      message.id = "q-open-" + group.dataset.key;
      message.dataset.stillOpen = "";
      message.textContent = STILL_OPEN;
      group.appendChild(message);
    }
    group.setAttribute("aria-describedby", message.id);
    group.querySelectorAll('input[type="radio"]').forEach(function (input) {
      input.setAttribute("aria-invalid", "true");
    });
  }
  function unmark(group) {
    var message = group.querySelector("[data-still-open]");
    if (message) message.remove();
    group.removeAttribute("aria-describedby");
    group.querySelectorAll('input[type="radio"]').forEach(function (input) {
      input.removeAttribute("aria-invalid");
    });
  }
  form.addEventListener("change", function (event) {
    var group = event.target.type === "radio" && event.target.closest("fieldset.question");
    if (group) unmark(group);
  });

  // A question that may be left open can be cleared once answered: a radio button cannot
  // be unchosen, and a patient who answered one by mistake would otherwise have to keep it.
  function showClear(group) {
    var button = group.querySelector("[data-clear-answer]");
    if (button) button.hidden = !group.querySelector('input[type="radio"]:checked');
  }
  form.querySelectorAll("fieldset.question").forEach(showClear);
  form.addEventListener("change", function (event) {
    var group = event.target.type === "radio" && event.target.closest("fieldset.question");
    if (!group) return;
    delete group.dataset.cleared;
    showClear(group);
  });
  form.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-clear-answer]");
    if (!button) return;
    var group = button.closest("fieldset.question");
    group.querySelectorAll('input[type="radio"]').forEach(function (input) { input.checked = false; });
    group.dataset.cleared = "";
    showClear(group);
    group.querySelector('input[type="radio"]').focus();
    changed();
  });

  // Saving as you go. Each save sends every answer on the page (and the PSFS names), so an
  // answer whose save failed goes again with the next one; one save at a time, so a slow
  // reply never overwrites newer answers. What was not saved is said, never dropped unseen.
  var changes = 0;
  var saving = false;
  var unsaved = false;
  // The save under way (resolved when none is). "Send" waits for it, then sends every answer
  // itself and stops the saving as you go: a save sent after the answers went would be
  // refused (the questionnaire is submitted) and say "Not saved" over the thank-you.
  var saved = Promise.resolve();
  var submitting = false;
  var NOT_SAVED_OFFLINE = "You are offline: your latest answers are not saved yet. Tap " +
    "“Save and finish later” to keep them on this phone.";
  var NOT_SAVED_NETWORK = "Your latest answers are not saved yet (no connection). They " +
    "are sent again with your next answer, or tap “Save and finish later”.";

  // The answers as they stand. A PSFS rating whose activity has no name is left out (the
  // server refuses it) and named in the status instead, until the activity is named.
  function draft() {
    var body = collect();
    var unnamed = [];
    form.querySelectorAll("fieldset.question[data-name]").forEach(function (group) {
      var name = form.querySelector('input[name="' + group.dataset.name + '"]');
      if (name && !name.value.trim() && group.dataset.key in body.answers) {
        delete body.answers[group.dataset.key];
        unnamed.push(group.dataset.key.replace("activity_", ""));
      }
    });
    return { body: body, unnamed: unnamed };
  }
  function savedWords(unnamed) {
    if (!unnamed.length) return "Saved.";
    return "Saved, except your rating of activity " + unnamed.join(" and ") +
      ": give the activity a name to keep it.";
  }
  // A draft kept on the phone ("Save and finish later" offline, or a session that ended) is
  // sent from the page, by the one save below, and forgotten once a newer save is through.
  function waiting(method) {
    return load().some(function (e) { return onThisPage(e) && e.method === method; });
  }
  function forgetDraft() {
    save(load().filter(function (e) { return !(onThisPage(e) && e.method === "PATCH"); }));
  }
  function changed() {
    changes += 1;
    unsaved = true;
    saveNow();
  }
  function saveNow() {
    if (submitting) return;  // "Send" carries every answer
    if (saving) return;  // the save under way sends this change once it is answered
    if (waiting("POST")) return;  // the answers kept for sending go with it
    if (!navigator.onLine) { say(NOT_SAVED_OFFLINE); return; }
    saving = true;
    var sentAt = changes;
    var saidAt = said;
    var current = draft();
    saved = send(form.dataset.answersUrl, "PATCH", current.body, form.dataset.patient).then(function (response) {
      if (response.ok) {
        if (changes !== sentAt) return;  // the newer answers go next, and say so
        unsaved = false;
        forgetDraft();
        // Not over what the page said meanwhile (the questions still open when "Send" was
        // tapped): that is what the patient must read now.
        if (said === saidAt) say(savedWords(current.unnamed));
        return;
      }
      if (waitsForSignIn(response)) {
        var entry = { questionnaire: form.dataset.questionnaire, patient: form.dataset.patient, title: form.dataset.title, url: form.dataset.answersUrl, method: "PATCH", body: current.body };
        keep(entry);
        return keptWords(response, entry).then(say);
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        say("Not saved: " + refusal(data));
      });
    }, function () {
      say(NOT_SAVED_NETWORK);
    }).then(function () {
      saving = false;
      if (changes > sentAt) saveNow();
    });
  }
  form.addEventListener("change", function (event) {
    var name = event.target.name || "";
    if (event.target.type === "radio" || name.indexOf("name_") === 0) changed();
  });
  window.addEventListener("online", function () { if (unsaved || waiting("PATCH")) saveNow(); });
  if (navigator.onLine && waiting("PATCH")) saveNow();  // reopened with a draft kept here

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var later = submitter && submitter.name === "finish_later";
    if (later && navigator.onLine) return;  // the plain form saves
    event.preventDefault();
    var body = collect();
    var entry = { questionnaire: form.dataset.questionnaire, patient: form.dataset.patient, title: form.dataset.title, url: form.dataset.submitUrl, method: "POST", body: body };
    if (later) {
      keep({ questionnaire: entry.questionnaire, patient: entry.patient, title: entry.title, url: form.dataset.answersUrl, method: "PATCH", body: body });
      say(KEPT);
      return;
    }
    var missing = unanswered();
    form.querySelectorAll("fieldset.question").forEach(function (group) {
      if (missing.indexOf(group) === -1) unmark(group); else markOpen(group);
    });
    if (missing.length) {
      say("Please answer the questions still open first (" + missing.length + " to go).");
      missing[0].querySelector("input").focus();
      return;
    }
    body.submission_id = form.querySelector('input[name="submission_id"]').value;
    if (!navigator.onLine) {
      keep(entry);
      say(KEPT);
      return;
    }
    submitting = true;
    saved.then(function () {
      return send(entry.url, "POST", body, entry.patient);
    }).then(async function (response) {
      if (response.ok) { window.location = form.dataset.doneUrl; return; }
      submitting = false;  // not sent: the page is the patient's again, and saves as before
      var kept = response.status === 409 ? await otherPatient(response) : waitsForSignIn(response);
      if (kept) {  // signed out meanwhile: the answers must not be lost
        keep(entry);
        say(await keptWords(response, entry));
        return;
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        say("Your answers were not sent: " + refusal(data));
      });
    }).catch(function () {
      submitting = false;
      keep(entry);
      say("No connection: your answers are kept on this phone and will be sent when you are back online.");
    });
  });
})();
