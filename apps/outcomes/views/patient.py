"""The patient's questionnaire page. It works without script (a plain form: "save and
finish later" keeps the answers, "submit" sends them once); static/js/questionnaire.js adds
saving as you go and an offline queue, both through the API with the same rules."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.core.once import ClientIdReused
from apps.outcomes import access, selectors, services
from apps.outcomes.instruments import PSFS_MAX_ACTIVITIES, instrument
from apps.outcomes.models import Questionnaire, Status
from apps.outcomes.resubmit import questionnaire_resubmitted
from apps.patients.auth import patient_login_required


def _answers(
    post: QueryDict, questionnaire: Questionnaire
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The posted answers as numbers; text that is not a whole number is an error."""
    spec = instrument(questionnaire.instrument)
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key in spec.item_keys:
        raw = post.get(key, "").strip()
        if not raw:
            continue
        try:
            answers[key] = int(raw)
        except ValueError:
            errors[key] = ["Choose one of the numbers."]
    return answers, errors


def _activities(post: QueryDict) -> list[str] | None:
    names = [post.get(f"name_{n}", "").strip() for n in range(1, PSFS_MAX_ACTIVITIES + 1)]
    return names if "name_1" in post else None


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@dataclass(frozen=True)
class _Slot:
    """One activity of a PSFS being named: its box and its rating."""

    n: int
    name: str
    value: int | None

    @property
    def key(self) -> str:
        return f"activity_{self.n}"


def _slots(
    questionnaire: Questionnaire, saved: list[selectors.Question], posted: QueryDict | None
) -> list[_Slot]:
    """The five activity slots of a first PSFS: what the patient just sent, else what is
    saved (names and ratings), so the names stay editable until it is sent."""
    numbers = range(1, PSFS_MAX_ACTIVITIES + 1)
    if posted is not None:
        return [_Slot(n, posted.get(f"name_{n}", ""), _int(posted.get(f"activity_{n}")))
                for n in numbers]  # fmt: skip
    values = {q.key: q.value for q in saved}
    names = list(questionnaire.activities) + [""] * PSFS_MAX_ACTIVITIES
    return [_Slot(n, names[n - 1], values.get(f"activity_{n}")) for n in numbers]


def _context(
    questionnaire: Questionnaire, errors: dict[str, list[str]], **extra: Any
) -> dict[str, Any]:
    spec = instrument(questionnaire.instrument)
    questions = selectors.questions(questionnaire)
    posted = extra.pop("posted", None)
    if posted is not None:
        # Show what the patient just sent, so an error costs them nothing.
        questions = [replace(q, value=_int(posted.get(q.key)) or q.value) for q in questions]
    # The first PSFS: the patient names the activities until it is sent; later ones re-rate
    # the baseline's, which stay as they were.
    naming = spec.patient_items and not selectors.baseline_activities(questionnaire)
    return {
        "q": questionnaire,
        "spec": spec,
        "questions": questions,
        "scale": list(range(spec.answer_min, spec.answer_max + 1)),
        "ends": selectors.answer_labels(questionnaire),
        "naming": naming,
        "every_item": spec.needs_every_item,
        # For a scale scored from some of its items (HOOS-12): how many each needs, so the
        # page can check before keeping an offline submission.
        "scale_minimums": json.dumps({scale.key: scale.min_answered for scale in spec.scales}),
        "slots": _slots(questionnaire, questions, posted) if naming else [],
        "errors": errors,
        "submission_id": extra.get("submission_id") or uuid.uuid4(),
        **extra,
    }


def _already_submitted(
    request: HttpRequest, found: Questionnaire, submission_id: uuid.UUID
) -> HttpResponse:
    """A repeat of the submission that went through (a double tap) shows its result; the
    same submission with other answers (409), or any other post to a submitted
    questionnaire, is refused, saving nothing (``apps.outcomes.resubmit``)."""
    status = 400
    if "finish_later" not in request.POST and found.submission_id == submission_id:
        answers, errors = _answers(request.POST, found)
        try:
            questionnaire_resubmitted(found, submission_id, answers, _activities(request.POST))
        except ClientIdReused:
            status = 409
        except ValidationError:
            pass
        else:
            if not errors:
                return redirect(reverse("outcomes:questionnaire", args=[found.public_id]))
    context = {"q": found, "refused": "These answers were not saved: you had already sent "
               "this questionnaire, and the answers sent first are kept."}  # fmt: skip
    return render(request, "outcomes/questionnaire_done.html", context, status=status)


@patient_login_required
@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    patient, found = access.my_questionnaire(request.user, public_id)
    if request.method == "GET":
        if found.status == Status.SUBMITTED:
            return render(request, "outcomes/questionnaire_done.html", {"q": found})
        return render(request, "outcomes/questionnaire.html", _context(found, {}))
    try:
        submission_id = uuid.UUID(request.POST.get("submission_id", ""))
    except ValueError:
        submission_id = uuid.uuid4()
    if found.status == Status.SUBMITTED:
        return _already_submitted(request, found, submission_id)
    answers, errors = _answers(request.POST, found)
    activities = _activities(request.POST)
    if not errors:
        try:
            if "finish_later" in request.POST:
                services.questionnaire_answer(
                    patient=patient, questionnaire=found, answers=answers, activities=activities
                )
                return redirect(reverse("patients:today"))
            services.questionnaire_submit(
                patient=patient, questionnaire=found, submission_id=submission_id,
                answers=answers, activities=activities,
            )  # fmt: skip
            return redirect(reverse("outcomes:questionnaire", args=[found.public_id]))
        except ValidationError as exc:
            errors = exc.message_dict
    context = _context(found, errors, submission_id=submission_id, posted=request.POST)
    return render(request, "outcomes/questionnaire.html", context, status=400)
