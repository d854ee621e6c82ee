"""Patient sign-in pages: the personal link and the one-time emailed link."""

from __future__ import annotations

from uuid import UUID, uuid4

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.clinics.suspension import patient_message, suspended_page_saying
from apps.core import ratelimit
from apps.notifications import dispatch
from apps.patients import auth
from apps.patients.forms import OneTimeLinkRequestForm, YearOfBirthForm
from apps.patients.models import Patient

# Failed personal-link attempts (a wrong year, a link that does not work) per address and
# hour. Right answers are not counted: patients share addresses (a clinic's Wi-Fi, a family, a
# carrier's CGNAT), and guessing is held back by the link itself (an HMAC nobody can guess)
# and by its own five tries.
LINK_FAILURES_PER_IP_PER_HOUR = 20
LINK_REQUESTS_PER_HOUR = 5


def _link_not_working(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/link_invalid.html", status=404)


def _failures_key(request: HttpRequest) -> str:
    return f"patient-link-failures:{ratelimit.client_ip(request)}"


def _count_failure(request: HttpRequest) -> None:
    ratelimit.check(
        _failures_key(request), limit=LINK_FAILURES_PER_IP_PER_HOUR, window_seconds=3600
    )


@never_cache
@require_http_methods(["GET", "POST"])
def personal_link(request: HttpRequest, public_id: UUID, token: str) -> HttpResponse:
    # Checked before the link is looked up: over the limit, every link answers alike, so a
    # guesser cannot tell a real one from a wrong one. Checked without counting: only
    # failures are counted, below. (Parallel failures can pass this check together; each
    # link's own tries are counted atomically, so that gains a guesser nothing.)
    decision = ratelimit.reached(
        _failures_key(request), limit=LINK_FAILURES_PER_IP_PER_HOUR, window_seconds=3600
    )
    if not decision.allowed:
        return ratelimit.too_many(request, "portal/too_many.html", retry_after=decision.retry_after)
    patient = auth.patient_for_link(public_id=public_id, token=token)
    if patient is None:
        if auth.personal_link_expired(public_id=public_id, token=token):
            # No name on this page: a link found in an old email or a lost handout should
            # learn nothing more about its patient than how to get a new one.
            return render(request, "portal/link_expired.html", status=410)
        _count_failure(request)
        return _link_not_working(request)
    if patient.link_locked:
        return _link_locked(request, patient)
    form = YearOfBirthForm(request.POST or None)
    # A year no patient can have is refused as a typo: not weighed, so not a failure.
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year_of_birth"]
        outcome = auth.personal_link_sign_in(request, patient=patient, year_of_birth=year)
        if outcome == "signed_in":
            return redirect("patients:today")
        if outcome == "suspended":
            return suspended_page_saying(request, patient_message(patient.clinic))
        _count_failure(request)
        if outcome == "locked":
            return _link_locked(request, patient)
        # The reason first, then the tries left (read after this answer was counted; the
        # count tells nothing about the year itself). As the field's help the count was
        # drawn above the field and read first, before the patient learnt what was wrong.
        form.add_error("year_of_birth", "That year does not match our records.")
        form.add_error("year_of_birth", _tries_left(patient))
    else:
        form.say_tries_left(_tries_left(patient))
    return render(
        request,
        "portal/link_sign_in.html",
        {"form": form, "first_name": patient.full_name.split(" ")[0]},
        status=400 if form.errors else 200,
    )


def _link_locked(request: HttpRequest, patient: Patient) -> HttpResponse:
    """The lock's page gives the clinic's phone (when it has one), as the other patient
    pages do: a patient who mistyped their year five times can call for a new link. The
    holder of a working link learns no more than the printed handout it came on says."""
    return render(request, "portal/link_locked.html", {"clinic": patient.clinic}, status=403)


def _tries_left(patient: Patient) -> str:
    """The field's help: how many wrong years the link still takes, so the lock is no
    surprise (and a patient coming back later is told before their next answer)."""
    left = patient.link_tries_left
    if not patient.link_failed_attempts:
        return f"After {left} wrong answers this link locks until your therapist sends a new one."
    return f"You have {left} {'try' if left == 1 else 'tries'} left before this link locks."


@never_cache
@require_http_methods(["GET", "POST"])
def one_time_link_request(request: HttpRequest) -> HttpResponse:
    form = OneTimeLinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        allowed = ratelimit.hit(
            f"one-time-link:email:{email}", limit=LINK_REQUESTS_PER_HOUR, window_seconds=3600
        ) and ratelimit.hit(
            f"one-time-link:ip:{ratelimit.client_ip(request)}",
            limit=LINK_REQUESTS_PER_HOUR * 4,
            window_seconds=3600,
        )
        if allowed:
            # Known address or not, the request does the same thing: one message to a
            # worker, which looks the address up and sends any email. Looking it up here
            # and mailing inside the request let the answer's timing tell who is a patient.
            request_id = uuid4()
            with transaction.atomic():  # the outbox row, published once committed
                dispatch.enqueue_one_time_links(email, request_id)
        # The same answer whether or not the address exists, or the limit was reached.
        return render(request, "portal/one_time_sent.html")
    return render(
        request,
        "portal/one_time_request.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def one_time_link(request: HttpRequest, token: str) -> HttpResponse:
    link = auth.one_time_link_find(token)
    if link is None:
        return _link_not_working(request)
    if link.patient.clinic.is_suspended:
        # Left unused: it still works, for its 15 minutes, if the clinic is resumed by then.
        return suspended_page_saying(request, patient_message(link.patient.clinic))
    if request.method == "GET":
        # Showing a button rather than signing in on GET keeps mail scanners from using it.
        return render(request, "portal/one_time_confirm.html")
    if auth.one_time_link_sign_in(request, token=token):
        return redirect("patients:today")
    return _link_not_working(request)
