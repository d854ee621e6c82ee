/* Tap an exercise's pictures to see them full screen; tap again (or Escape) to close.
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
    if (event.key !== "Escape") return;
    var open = document.querySelector("[data-illustration].is-enlarged");
    if (open) {
      setOpen(open, false);
      open.querySelector("[data-illustration-toggle]").focus();
    }
  });
})();
