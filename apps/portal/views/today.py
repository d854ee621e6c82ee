"""The patient's own pages: today's exercises, logging a set, correcting a set.

Every form works without JavaScript; ``apps/portal/static/js/today.mjs`` enhances the page (one
tap, offline queue, hold timer) and talks to ``/api/v1/me/``. Without it (or with no room left
on the phone for the queue) a set is posted to ``/today/log/``, which answers a refusal with
Today at that address: a GET of it (reloaded, from the history) leads back to Today
(``post_only``), never to an empty 405. Today itself stays a page that only shows: it is the
page the service worker keeps for offline use, and the one kept ready in the cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods

from apps.clinics.access import get_for_patient
from apps.core import ratelimit
from apps.core.once import ClientIdReused
from apps.core.post_only import post_only
from apps.core.throttles import user_rate
from apps.patients.auth import patient_login_required
from apps.patients.models import Patient
from apps.patients.selectors import own_patient
from apps.portal.forms import DIFFICULTY_CHOICES, SetLogCorrectForm, SetLogForm
from apps.portal.today_cache import (
    CLIENT_ID_MARK,
    CSRF_MARK,
    MESSAGES_MARK,
    fill_marks,
    today_page,
)
from apps.portal.today_goal import MORNING_WORSE, Goal, goals_for
from apps.portal.today_media import ClinicMedia, clinic_media_for
from apps.programs import logs as log_services
from apps.programs.history import patient_logs, streak_once_today_is_done
from apps.programs.models import Compared, SetLog
from apps.programs.morning import morning_check_due, morning_check_today
from apps.programs.selectors import PlanItem, patient_item, today_plan

PAIN_SCALE = list(range(11))


def _pain_radios(checked: int | None, marks: SafeString) -> SafeString:
    return format_html_join(
        "",
        '<label class="pain-option"><input type="radio" name="pain" value="{}" required{}{}>'
        "<span>{}</span></label>",
        ((n, " checked" if n == checked else "", marks, n) for n in PAIN_SCALE),
    )


@lru_cache(maxsize=len(PAIN_SCALE) + 1)
def pain_options(checked: int | None) -> SafeString:
    """The 0-10 pain radios with ``checked`` selected. Built once per value and process:
    through the template the eleven radios of every exercise card were most of the page's
    rendering time (bench/README.md, today page)."""
    return _pain_radios(checked, SafeString(""))


def invalid_marks(described_by: str) -> SafeString:
    """The attributes of a field the card's message is about: marked invalid and described
    by the message, as js/today/form.mjs marks them when it refuses a set."""
    return format_html(' aria-invalid="true" aria-describedby="{}"', described_by)


def patient_for(request: HttpRequest) -> Patient:
    """The signed-in patient (``own_patient``): staff get a 403."""
    return own_patient(request.user)


def today_address(request: HttpRequest) -> str:
    """Today, the page whose forms post to addresses of their own (a set, the morning
    question), for the signed-in patient only (staff get a 403)."""
    patient_for(request)
    return reverse("patients:today")


@dataclass
class ItemCard:
    """One item of the today page with the values its log form shows."""

    plan: PlanItem
    # A new set's idempotency key: a marker that ``fill_marks`` replaces with a new UUID on
    # every request; a rejected submission's own key is shown again as it was.
    client_id: UUID | str
    pain: int | None
    reps: int | None
    hold_seconds: int | None
    difficulty: int | None = None
    note: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    # The day's highest pain on this exercise when it was "too much" (above the clinic's
    # hold-back level): the card then tells the patient to stop it for today (CLINICAL.md,
    # pain-monitoring model).
    high_pain: int | None = None
    goal: str = ""
    # Why the amount offered is the prescription today, not the best recent count.
    lighter: str = ""
    # While the next-morning question waits: what the page's script shows and offers once
    # the answer is "worse" (the page is not drawn again; offline too).
    lighter_if_worse: str = ""
    # The clinic's own first photo and video of the exercise, if it has any.
    media: ClinicMedia | None = None

    @property
    def errors_id(self) -> str:
        """The id of the card's message about a refused set (the page without script)."""
        return f"errors-{self.plan.public_id}"

    @property
    def marks(self) -> dict[str, SafeString]:
        """Each field of a refused set the message is about (by name), with its marks."""
        return {name: invalid_marks(self.errors_id) for name in self.errors}

    @property
    def pain_options(self) -> SafeString:
        checked = self.pain if isinstance(self.pain, int) else None
        if "pain" in self.errors:
            return _pain_radios(checked, self.marks["pain"])
        return pain_options(checked)


@dataclass
class Submitted:
    """A log form that was rejected: shown again with its values and messages."""

    item: UUID | None
    values: dict[str, Any]
    errors: dict[str, list[str]]


def _card(
    plan_item: PlanItem,
    too_much_above: int,
    submitted: Submitted | None,
    goal: Goal | None,
    media: dict[int, ClinicMedia],
    morning_due: bool,
) -> ItemCard:
    """The card's form values. Pain is never pre-selected: every set needs the patient's own
    choice (only a rejected submission shows its values again). A ladder item's amount
    starts at the patient's best recent count at that level; so does any dose that rises (a
    range, within it; to fatigue, up to its cap, and empty the first time); on a day to go
    lighter, at the prescription (``today_goal``)."""
    item = plan_item.item
    start = goal.start if goal is not None else None
    high_pain = plan_item.too_much_pain(too_much_above)
    card = ItemCard(
        plan=plan_item,
        client_id=CLIENT_ID_MARK,
        pain=None,
        reps=start if start is not None and not plan_item.is_hold else item.reps,
        hold_seconds=start if start is not None and plan_item.is_hold else item.hold_seconds,
        high_pain=high_pain,
        goal=goal.text if goal is not None else "",
        lighter=goal.lighter if goal is not None else "",
        lighter_if_worse=(
            MORNING_WORSE
            if morning_due and goal is not None and not goal.lighter and high_pain is None
            else ""
        ),
        media=media.get(plan_item.exercise.pk) if plan_item.exercise is not None else None,
    )
    if submitted is not None and submitted.item == item.public_id:
        values = submitted.values
        card.client_id = values.get("client_id") or card.client_id
        for name in ("pain", "reps", "hold_seconds", "difficulty", "note"):
            if values.get(name) not in (None, ""):
                setattr(card, name, values[name])
        card.errors = submitted.errors
    return card


def _page(request: HttpRequest, patient: Patient, today: date, submitted: Submitted | None) -> str:
    """The whole page, with markers for the CSRF token, the messages and each new card's
    ``client_id`` (``fill_marks``). The request only gives what is the same on every
    request of this patient: their account and the language."""
    plan = today_plan(patient=patient, on=today)
    too_much_above = patient.clinic.pain_progression_limit
    # Two queries: the question when due, else today's answer for its advice (and the
    # amounts: a "worse" morning offers no more than the prescription).
    due = morning_check_due(patient=patient, today=today)
    morning = None if due else morning_check_today(patient=patient, today=today)
    goals = goals_for(
        patient=patient,
        items=plan.items,
        today=today,
        levels=plan.levels,
        morning_worse=morning is not None and morning.is_worse,
    )
    media = clinic_media_for(patient=patient, items=plan.items)
    context = {
        "patient": patient,
        "clinic": patient.clinic,
        "plan": plan,
        "cards": [
            _card(p, too_much_above, submitted, goals.get(p.item.pk), media, due is not None)
            for p in plan.items
        ],
        "difficulty_choices": DIFFICULTY_CHOICES[1:],
        "submitted": submitted,
        "morning_due": due,
        "morning": morning,
        # The question comes the day after an exercise day, often a rest day: its advice then
        # speaks of the next exercise day (a day on hold for the precautions is not a rest).
        "morning_rest": not plan.scheduled and not plan.held_back,
        "compared": Compared.choices,
        # Shown with "Day complete" (journey 2: the patient sees the day done and the streak).
        "streak": streak_once_today_is_done(patient=patient, today=today) if plan.scheduled else 0,
        "csrf_token": CSRF_MARK,
        "messages_mark": MESSAGES_MARK,
    }
    return render_to_string("portal/today.html", context, request=request)


def render_today(
    request: HttpRequest,
    patient: Patient,
    submitted: Submitted | None = None,
    status: int | None = None,
) -> HttpResponse:
    """Today, from the cache unless it shows a rejected submission (its values and errors
    are this request's own)."""
    today = patient.local_today()
    if submitted is None:
        page = today_page(
            patient=patient, today=today, render=lambda: _page(request, patient, today, None)
        )
    else:
        page = _page(request, patient, today, submitted)
    status = status or (400 if submitted is not None else 200)
    return HttpResponse(fill_marks(page, request=request), status=status)


@patient_login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    return render_today(request, patient_for(request))


def _form_errors(form: SetLogForm) -> dict[str, list[str]]:
    return {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}


# A form sent again (the back button) with other values carries the first send's client id.
FORM_SENT_BEFORE = (
    "This form was already sent with other values, and that set is saved. "
    "Nothing more was saved: log this set again below."
)


def _record(patient: Patient, form: SetLogForm) -> Submitted | UUID:
    """Save the set; the item's id on success, the rejected submission otherwise."""
    values = form.cleaned_data
    item = patient_item(patient=patient, public_id=values["item"])
    if item is None:
        return Submitted(None, values, {"item": ["This exercise is not in your program."]})
    try:
        log_services.set_log_record(
            patient=patient,
            item=item,
            client_id=values["client_id"],
            performed_on=values["performed_on"],
            side=values["side"],
            pain=values["pain"],
            reps=values["reps"],
            hold_seconds=values["hold_seconds"],
            difficulty=values["difficulty"],
            note=values["note"],
        )
    except ClientIdReused:
        return Submitted(item.public_id, values, {"client_id": [FORM_SENT_BEFORE]})
    except ValidationError as exc:
        return Submitted(item.public_id, values, exc.message_dict)
    return item.public_id


def _logging_too_fast(request: HttpRequest, patient: Patient) -> HttpResponse | None:
    """Today with a 429 when the patient sends sets faster than the API's per-user limit
    allows (the form would otherwise be the way around it); None while within it."""
    limit, window = user_rate()
    decision = ratelimit.check(f"today-log:{patient.pk}", limit=limit, window_seconds=window)
    if decision.allowed:
        return None
    wait = ratelimit.wait_in_words(decision.retry_after)
    messages.error(
        request,
        f"That set was not saved: a lot of sets came in very quickly. "
        f"Please wait {wait}, then log it again.",
    )
    response = render_today(request, patient, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response


@patient_login_required
@post_only(today_address)
def log_set(request: HttpRequest) -> HttpResponse:
    """Log one set from the today page's form (the no-JavaScript path)."""
    patient = patient_for(request)
    if (too_fast := _logging_too_fast(request, patient)) is not None:
        return too_fast
    form = SetLogForm(request.POST)
    if not form.is_valid():
        item = form.cleaned_data.get("item")
        return render_today(
            request, patient, Submitted(item, form.cleaned_data, _form_errors(form))
        )
    outcome = _record(patient, form)
    if isinstance(outcome, Submitted):
        return render_today(request, patient, outcome)
    messages.success(request, "Set saved.")
    return redirect(f"{reverse('patients:today')}#item-{outcome}")


def _own_log(request: HttpRequest, patient: Patient, public_id: UUID) -> SetLog:
    return get_for_patient(request.user, patient_logs(patient=patient), public_id)


def _apply_correction(form: SetLogCorrectForm, log: SetLog) -> bool:
    """Correct the log from a valid form; False with the messages on the form otherwise."""
    values = form.cleaned_data
    try:
        log_services.set_log_correct(
            log=log,
            pain=values["pain"],
            reps=values.get("reps"),
            hold_seconds=values.get("hold_seconds"),
            difficulty=values["difficulty"],
            note=values["note"],
        )
    except ValidationError as exc:
        for name, msgs in exc.message_dict.items():
            for msg in msgs:
                form.add_error(name if name in form.fields else None, msg)
        return False
    return True


def _correction_pain_options(form: SetLogCorrectForm) -> SafeString:
    """Today's pain radios for the page to change a set: the form's pain chosen (the set's,
    or the one sent back with a message), marked invalid and described by its message."""
    field = form["pain"]
    value = field.value()
    checked = int(value) if str(value).isdigit() and int(value) in PAIN_SCALE else None
    if field.errors:
        return _pain_radios(checked, invalid_marks(f"{field.auto_id}_error"))
    return pain_options(checked)


@patient_login_required
@require_http_methods(["GET", "POST"])
def log_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Correct one set within 24 hours of logging it, or delete it (``delete`` posted): both
    forms post to this page, so a refusal is answered at its own address (reloading it shows
    the page, not an empty 405)."""
    patient = patient_for(request)
    log = _own_log(request, patient, public_id)
    if request.method == "POST" and "delete" in request.POST:
        return _log_delete(request, log)
    form = SetLogCorrectForm(request.POST or None, log=log)
    if request.method == "POST" and form.is_valid() and _apply_correction(form, log):
        messages.success(request, "Set corrected.")
        return redirect(f"{reverse('patients:today')}#item-{log.item.public_id}")
    context = {
        "log": log,
        "form": form,
        "locked": log_services.set_log_is_locked(log),
        "pain_options": _correction_pain_options(form),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/today_log_edit.html", context, status=status)


def _log_delete(request: HttpRequest, log: SetLog) -> HttpResponse:
    try:
        log_services.set_log_delete(log=log)
    except ValidationError as exc:
        form = SetLogCorrectForm(log=log)
        context = {"log": log, "form": form, "locked": True, "delete_error": exc.messages}
        return render(request, "portal/today_log_edit.html", context, status=400)
    messages.success(request, "Set deleted.")
    return redirect(f"{reverse('patients:today')}#item-{log.item.public_id}")
