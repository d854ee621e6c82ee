/* Questionnaire page: each answer is saved as it is chosen (PATCH answers), so an
   interrupted questionnaire resumes; "Send" posts everything once with the page's
   submission_id. Offline, the submission is kept on the phone and sent when the connection
   returns (here or on Today); a retry with the same submission_id never makes a second
   submission. Without this script the form posts normally. */
(function () {
  "use strict";
  var QUEUE_KEY = "clamshell.questionnaires";
  var form = document.getElementById("questionnaire");
  var status = document.getElementById("q-status");

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
  function send(url, method, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    });
  }
  async function flush() {
    var queue = load();
    for (var i = 0; i < queue.length; i++) {
      var entry = queue[i];
      try {
        var response = await send(entry.url, "POST", entry.body);
        // Sent, or refused for good (4xx): either way it leaves the queue.
        if (response.status < 500) entry.done = true;
        if (response.ok && status) status.textContent = "Your answers were sent to your therapist.";
      } catch (e) { break; }
    }
    save(load().filter(function (e) {
      return !queue.some(function (q) { return q.done && q.body.submission_id === e.body.submission_id; });
    }));
  }
  window.addEventListener("online", flush);
  if (navigator.onLine && load().length) flush();

  if (!form) return;

  function collect() {
    var answers = {};
    form.querySelectorAll('input[type="radio"]:checked').forEach(function (input) {
      answers[input.name] = Number(input.value);
    });
    var names = [];
    form.querySelectorAll('input[name^="name_"]').forEach(function (input) { names.push(input.value); });
    var body = { answers: answers };
    if (names.length) body.activities = names.filter(function (n) { return n.trim(); });
    return body;
  }

  form.addEventListener("change", function (event) {
    if (event.target.type !== "radio" || !navigator.onLine) return;
    var body = collect();
    var one = {}; one[event.target.name] = Number(event.target.value);
    var partial = { answers: one };
    if (body.activities && body.activities.length >= 3) partial.activities = body.activities;
    else if (body.activities) return;  // the activities are not named yet: send all at the end
    send(form.dataset.answersUrl, "PATCH", partial).then(function (r) {
      if (r.ok) status.textContent = "Saved.";
    }).catch(function () {});
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.name === "finish_later") return;  // the plain form saves
    event.preventDefault();
    var body = collect();
    body.submission_id = form.querySelector('input[name="submission_id"]').value;
    var entry = { url: form.dataset.submitUrl, body: body };
    if (!navigator.onLine) {
      save(load().concat([entry]));
      status.textContent = "You are offline: your answers are kept on this phone and will be sent when you are back online.";
      return;
    }
    send(entry.url, "POST", body).then(function (response) {
      if (response.ok) { window.location = form.dataset.doneUrl; return; }
      return response.json().then(function (data) { status.textContent = data.message; });
    }).catch(function () {
      save(load().concat([entry]));
      status.textContent = "No connection: your answers are kept on this phone and will be sent when you are back online.";
    });
  });
})();
