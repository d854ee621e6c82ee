/* Drawing the day's progress on the cards: each side's list of sets (saved ones from the
   server's plan, waiting ones from the queue on the phone), the counts, the next set's
   number, "complete" badges, the day's progress and its "Day complete" banner, and the pain
   advice that folds a card's form away. Drawn from what is known on the phone, so the page
   is right offline too. */
import { root } from "./page.mjs";
import { loadQueue } from "./queue.mjs";
import { setText } from "./words.mjs";

function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
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

// `plan` is the server's (today's plan from the API), or null to draw the page's own sets
// with the queue's again.
export function draw(plan) {
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
    var sides = [];
    Array.prototype.forEach.call(card.querySelectorAll(".side[data-side]"), function (sideEl) {
      var side = sideEl.dataset.side;
      var fresh = byItem[id] && byItem[id].sides.filter(function (s) { return s.side === side; })[0];
      var pending = queue.filter(function (e) { return e.item === id && e.side === side; });
      var counts = drawSide(sideEl, fresh ? fresh.logs : null, pending);
      if (!due || counts.logged < due.logged) due = { side: side, logged: counts.logged };
      sides.push({ side: side, finished: counts.logged >= counts.target });
      itemDone += counts.done;
      itemTarget += counts.target;
      (fresh ? fresh.logs : []).concat(pending).forEach(function (log) { pains.push(log.pain); });
    });
    var dueButton = card.querySelector("[data-log-due]");
    if (dueButton && due) dueButton.value = due.side;
    orderLogButtons(card, sides);
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

// As the server draws them (PlanItem.log_buttons): a side whose prescribed sets are done,
// while another side's are not, offers an extra set, so its button steps back (plain, not
// primary) behind the sides still due; the first button is then the set that is due. Only
// the due buttons move, and a moved button keeps the focus, so a tap never lands elsewhere.
function orderLogButtons(card, sides) {
  var allDone = sides.every(function (s) { return s.finished; });
  var ordered = sides.filter(function (s) { return allDone || !s.finished; })
    .concat(sides.filter(function (s) { return !allDone && s.finished; }));
  var previous = null;
  ordered.forEach(function (s) {
    var button = card.querySelector('[data-log-side="' + s.side + '"]');
    if (!button) return;
    var extra = s.finished && !allDone;
    button.classList.toggle("primary", !extra);
    button.toggleAttribute("data-extra-set", extra);
    var place = previous ? previous.nextElementSibling : firstLogButton(button.parentNode);
    if (place !== button) {
      var focused = document.activeElement === button;
      button.parentNode.insertBefore(button, place);
      if (focused) button.focus();
    }
    previous = button;
  });
}

function firstLogButton(container) {
  return container.querySelector("[data-log-side]");
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
