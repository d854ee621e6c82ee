/* The Reminders page: when the phone's own time zone is not the one saved, offer it in one
   tap. The tap chooses it in the select and saves the form as shown; without JavaScript the
   select alone does the same. */
(function () {
  "use strict";
  var form = document.getElementById("reminder-form");
  var offer = document.getElementById("phone-zone");
  if (!form || !offer || typeof Intl === "undefined" || !Intl.DateTimeFormat) return;
  var select = form.querySelector('select[name="time_zone"]');
  var phone;
  try {
    phone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!select || !phone) return;

  // The browser's own name for a zone: it may call the saved Asia/Kolkata "Asia/Calcutta",
  // which is the same place and no reason to offer anything.
  function canonical(zone) {
    try {
      return new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
    } catch (e) {
      return zone;
    }
  }

  var saved = form.dataset.savedZone;
  if (canonical(saved) === canonical(phone)) return;
  // Only a zone the list offers can be saved. The list has current names only, and the
  // phone may give an old one for the same place (Asia/Calcutta): it is offered as listed.
  var options = Array.prototype.slice.call(select.options);
  var option = options.find(function (o) { return o.value === phone; }) ||
    options.find(function (o) { return canonical(o.value) === canonical(phone); });
  if (!option) return;
  var zone = option.value;

  offer.querySelector("[data-phone-zone]").textContent = zone;
  var use = offer.querySelector("[data-use-phone-zone]");
  // The tap saves at once: the button says so ("Use Asia/Tokyo" read as choosing it only).
  use.textContent = "Save " + zone + " as my time zone";
  use.addEventListener("click", function () {
    select.value = zone;
    use.disabled = true;  // one save, however many taps
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });
  offer.hidden = false;
})();
