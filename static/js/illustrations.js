/* Tap an exercise's pictures to see them full screen; tap again (or Escape) to close. While
   enlarged, keyboard focus stays on it (Tab moves nowhere behind it).
   Without this script the pictures still show at the width of the card. */
(function () {
  "use strict";
  function setOpen(figure, open) {
    var button = figure.querySelector("[data-illustration-toggle]");
    var hint = figure.querySelector("[data-illustration-hint]");
    figure.classList.toggle("is-enlarged", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (hint) hint.textContent = open ? "Tap to close" : "Tap to enlarge";
    document.body.classList.toggle("has-enlarged-illustration", open);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-illustration-toggle]");
    if (!button) return;
    var figure = button.closest("[data-illustration]");
    setOpen(figure, !figure.classList.contains("is-enlarged"));
  });
  document.addEventListener("keydown", function (event) {
    var open = document.querySelector("[data-illustration].is-enlarged");
    if (!open) return;
    var button = open.querySelector("[data-illustration-toggle]");
    if (event.key === "Escape") {
      setOpen(open, false);
      button.focus();
    } else if (event.key === "Tab") {
      // The enlarged view covers the page: Tab would move focus to a control hidden behind
      // it. Its one control (which closes it) keeps the focus, as in a dialog.
      event.preventDefault();
      button.focus();
    }
  });
})();
