/* The hold timer on a card whose dose is a hold in seconds: a countdown the patient starts
   and stops, with its start and end said to a screen reader and felt as a vibration, so the
   patient need not watch the screen while holding. The card's form works without it. */

export function setUpTimer(box) {
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
