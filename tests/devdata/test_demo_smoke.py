"""Smoke test on the demo installation `make run` starts with: the real exercise library
(``load_library``) and the demo clinics (``seed_demo``), as every demo role signs in.

Factory data only reaches the code paths its factories were written for: a serializer met
the library's %MVIC values for the first time in production (``/api/v1/prompts/`` answered
500 for every library ladder). Here every page of the URL resolver and every API read of
/api/schema/ is asked for with the demo's own objects, by the clinic admins, the therapists,
the patients and the operator, and none may answer 5xx; each role gets its own pages (200)
and is refused the others' (403, or 404 for another clinic's object). The staff emails, the
reminders and the PDFs the demo data produces are rendered and sent too.

The demo is seeded once for the module (about 4 s); each test runs in a savepoint of it.
What the demo does not make (a progress report, precautions, a photo, API tokens, report
files, an invited colleague, reminders, the clinic's own exercise, %MVIC value and ladder)
is made here through the app's own services, on the demo's patients and programs (its
outcome questionnaires, answered, due and later, are its own); so are the states staff and
patients leave it in (a second prompt a clinic, logged today; the four prompts approved,
declined, snoozed and closed by removing their exercise, an alert seen, a set corrected and
one deleted, a patient on text reminders).
An archived patient and a suspended clinic are made in their own tests (the suspended
clinic's people must get its refusal from every page and API read), and every query
parameter a page's filter forms and links or an API read's schema name is asked for with odd
values.
"""

from __future__ import annotations

import logging
import re
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin as django_admin
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from apps.clinics.models import ApiToken, Clinic, Role, TokenScope, User
from apps.devdata.demo import DEMO_OPERATOR, seed_demo
from apps.exercises.models import EvidenceValue, Exercise, Ladder
from apps.patients.models import HipPrecaution, Patient
from apps.programs.models import Program, ProgramItem, ProgressionPrompt, SetLog
from tests.security.expectations import (
    ADMIN,
    EDITORS_ONLY_READS,
    OPERATIONS,
    PAGES,
    PATIENT,
    PUBLIC,
    SIGNED_IN,
    STAFF,
    Rule,
)
from tests.security.matrix import api_operations, api_schema, body_of, page_routes

# --- The demo, seeded once ----------------------------------------------------------------


@dataclass
class Demo:
    """The demo's people and, per kind of object a URL names, every such object."""

    clinics: list[Clinic]
    operator: User
    objects: dict[str, list[Any]] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)


def _extras(demo: Demo) -> None:
    """What the demo does not make, made through the app's services on its own data."""
    from apps.clinics.invitations import staff_invite
    from apps.clinics.tokens import api_token_create
    from apps.media.services import media_upload
    from apps.outcomes import services as outcomes
    from apps.outcomes.report_selectors import report_data
    from apps.patients.precautions import precaution_set
    from apps.reports.exports.filters import ReportFilters
    from apps.reports.models import ReportFormat, ReportKind
    from apps.reports.services import report_job_create, report_job_run
    from tests.media.samples import png

    for clinic in demo.clinics:
        admin = User.objects.get(clinic=clinic, role=Role.ADMIN)
        patients = list(Patient.objects.filter(clinic=clinic).order_by("pk"))
        first = patients[0]
        therapist = first.therapist
        program = Program.objects.get(patient=first)
        today = first.local_today()
        invited = staff_invite(
            admin=admin, email=f"new@{clinic.pk}.example", full_name="New Colleague",
            role=Role.THERAPIST,
        )  # fmt: skip
        demo.objects.setdefault("invited", []).append(invited)
        _, secret = api_token_create(
            admin=admin, user=therapist, name="Integration", scope=TokenScope.READ_WRITE
        )
        demo.secrets[f"token {clinic.pk}"] = secret
        precaution_set(
            actor=therapist, patient=first, kind="posterior", starts_on=today,
            ends_on=today + timedelta(weeks=6), note="Surgeon's letter",
        )  # fmt: skip
        exercise = program.items.filter(exercise__isnull=False).earliest("position").exercise
        assert exercise is not None
        photo = SimpleUploadedFile("photo.png", png(), content_type="image/png")
        media_upload(actor=therapist, exercise=exercise, upload=photo)
        outcomes.report_create(
            user=therapist, patient=first, note="Doing well.",
            data=report_data(patient=first, author=therapist, note="Doing well."),
        )  # fmt: skip
        filters = ReportFilters(
            clinic_id=clinic.pk, start=today - timedelta(days=14), end=today - timedelta(days=1)
        )
        for kind, format in ((ReportKind.SUMMARY, ReportFormat.PDF),
                             (ReportKind.SUMMARY, ReportFormat.XLSX),
                             (ReportKind.DETAIL, ReportFormat.CSV)):  # fmt: skip
            job = report_job_create(user=admin, filters=filters, kind=kind, format=format)
            report_job_run(job_id=job.pk)
        _second_prompt(clinic)
        _own_library(therapist)
        _decided(clinic)


def _second_prompt(clinic: Clinic) -> None:
    """The demo raises one prompt a clinic (its first patient's clamshell level 1): the
    clinic's third patient meets that level's rule today too, their sets logged and evaluated
    as the phone and the worker do, so the clinics' four prompts can each be left in another
    state."""
    from apps.notifications.dispatch import enqueue_notifications
    from apps.notifications.services import set_logs_evaluate
    from apps.patients.models import Side
    from apps.programs.logs import set_log_record

    patient = Patient.objects.filter(clinic=clinic).order_by("pk")[2]
    item = ProgramItem.objects.get(program__patient=patient, ladder__isnull=False)
    logs = [
        set_log_record(
            patient=patient, item=item, client_id=uuid.uuid4(), performed_on=None, side=side,
            pain=2, reps=20, set_number=1, evaluate=False,
        )[0]
        for side in (Side.LEFT, Side.RIGHT)
    ]  # fmt: skip
    enqueue_notifications(set_logs_evaluate(log_ids=[log.pk for log in logs]), now=timezone.now())


def _own_library(therapist: User) -> None:
    """The clinic's own exercise, %MVIC value and ladder, which only the clinic may change
    (the demo uses the shared library only)."""
    from decimal import Decimal

    from apps.exercises import ladder_services
    from apps.exercises import services as exercises
    from apps.exercises.models import Study

    content = exercises.ExerciseContent(
        name="Banded side step", position="standing", movement="Step sideways against a band",
        target_muscles=["gluteus_medius"], steps=["Band above the knees", "Step sideways"],
    )  # fmt: skip
    own = exercises.exercise_create(user=therapist, content=content)
    exercises.evidence_add(
        user=therapist, exercise=own, study=Study.objects.get(key="boren-2011"),
        muscle="gluteus_medius", mvic_percent=Decimal("40"), source="Our gait lab",
    )  # fmt: skip
    clam = Exercise.objects.get(key="clam-1", clinic=None)
    ladder_services.ladder_create(user=therapist, name="Our side steps", exercises=[clam, own])


def _decided(clinic: Clinic) -> None:
    """What staff and patients do with the demo's week: prompts answered each way (the last
    closed by removing its exercise), an alert seen, a set corrected and one deleted, a
    patient on text-message reminders."""
    from apps.notifications.models import PainAlert
    from apps.notifications.services import pain_alert_acknowledge
    from apps.patients.services import patient_update_partial
    from apps.programs.item_services import program_item_remove
    from apps.programs.logs import set_log_correct, set_log_delete
    from apps.programs.prompt_decisions import prompt_approve, prompt_decline, prompt_snooze

    prompts = list(ProgressionPrompt.objects.filter(patient__clinic=clinic).order_by("pk"))
    decisions: list[Callable[[ProgressionPrompt], object]] = [
        lambda p: prompt_approve(prompt=p, user=p.patient.therapist, note="Ready for more.",
                                 override_reason="Seen in clinic.", confirm_duplicate_ladder=True,
                                 precaution_override="Cleared by the surgeon."),
        lambda p: prompt_decline(prompt=p, user=p.patient.therapist, reason="Wait a week."),
        lambda p: prompt_snooze(prompt=p, user=p.patient.therapist,
                                until=p.patient.local_today() + timedelta(days=3)),
        lambda p: program_item_remove(actor=p.patient.therapist, item=p.item),
    ]  # fmt: skip
    # Each clinic answers its prompts with the decisions after those of the clinics before.
    shift = ProgressionPrompt.objects.filter(patient__clinic__pk__lt=clinic.pk).count()
    shift %= len(decisions)
    for prompt, decide in zip(prompts, decisions[shift:] + decisions[:shift], strict=False):
        prompt.refresh_from_db()
        decide(prompt)
    alert = PainAlert.objects.filter(patient__clinic=clinic).order_by("pk").first()
    if alert is not None:
        pain_alert_acknowledge(alert=alert, user=alert.patient.therapist)
    logs = SetLog.objects.filter(patient__clinic=clinic).order_by("-logged_at", "pk")
    corrected, deleted = logs[0], logs[1]
    soon = corrected.logged_at + timedelta(minutes=5)
    set_log_correct(log=corrected, pain=min(corrected.pain + 1, 10), reps=corrected.reps,
                    hold_seconds=corrected.hold_seconds, difficulty=corrected.difficulty,
                    note="Counted wrong.", now=soon)  # fmt: skip
    set_log_delete(log=deleted, now=deleted.logged_at + timedelta(minutes=5))
    texted = Patient.objects.filter(clinic=clinic).order_by("pk")[1]
    patient_update_partial(
        patient=texted, changes={"phone": "+44 7700 900123", "reminder_channel": "sms"},
        actor=texted.therapist,
    )  # fmt: skip


def _collect(demo: Demo) -> None:
    from apps.media.models import ExerciseMedia
    from apps.notifications.models import PainAlert
    from apps.outcomes.models import ProgressReport, Questionnaire
    from apps.reports.models import ReportJob

    objects = demo.objects
    objects["patient"] = list(Patient.objects.order_by("pk"))
    objects["therapist"] = list(
        User.objects.filter(role=Role.THERAPIST)
        .exclude(pk__in=[u.pk for u in objects["invited"]])
        .order_by("pk")
    )
    objects["api_token"] = list(ApiToken.objects.order_by("pk"))
    objects["precaution"] = list(HipPrecaution.objects.order_by("pk"))
    # Each patient's first and last set, and the pain-7 one behind the alert.
    logs: list[SetLog | None] = []
    for patient in objects["patient"]:
        ordered = SetLog.objects.filter(patient=patient).order_by("performed_on", "pk")
        logs += [ordered.first(), ordered.last(), ordered.order_by("-pain", "pk").first()]
    objects["set_log"] = [log for log in dict.fromkeys(logs) if log is not None]
    objects["prompt"] = list(ProgressionPrompt.objects.order_by("pk"))
    objects["alert"] = list(PainAlert.objects.order_by("pk"))
    objects["exercise"] = list(Exercise.objects.order_by("pk"))
    objects["evidence"] = list(EvidenceValue.objects.order_by("pk"))
    objects["ladder"] = list(Ladder.objects.order_by("pk"))
    objects["media"] = list(ExerciseMedia.objects.order_by("pk"))
    objects["program"] = list(Program.objects.order_by("pk"))
    # Every item of each clinic's first patient's program and of each template.
    firsts: dict[tuple[int, bool], Program] = {}
    for program in objects["program"]:
        key = (program.clinic_id, program.is_template)
        firsts.setdefault(key, program)
    objects["item"] = list(
        ProgramItem.objects.filter(program__in=firsts.values()).order_by("program", "position")
    )
    objects["report_job"] = list(ReportJob.objects.order_by("pk"))
    objects["progress_report"] = list(ProgressReport.objects.order_by("pk"))
    # A plan schedules a year of questionnaires: the first of each patient, instrument and
    # state (submitted, due now, due later) is enough.
    today = {p.pk: p.local_today() for p in objects["patient"]}
    kinds: dict[tuple[int, str, str], Questionnaire] = {}
    for q in Questionnaire.objects.order_by("due_on", "pk"):
        state = (
            q.status
            if q.status != "open"
            else ("due" if q.due_on <= today[q.patient_id] else "later")
        )
        kinds.setdefault((q.patient_id, q.instrument, state), q)
    objects["questionnaire"] = list(kinds.values())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Demo]:
    """The library and the demo, with the seeded week evaluated as the worker would (which
    ``seed_demo`` does in bulk): built once, in a transaction rolled back at the end."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        yield build_demo()
        transaction.set_rollback(True)


def build_demo() -> Demo:
    """The library, the demo and the extras above, on the current database (the browser's
    accessibility test commits it, for its live server)."""
    call_command("load_library", verbosity=0)
    demo = Demo(clinics=seed_demo(), operator=User.objects.get(email=DEMO_OPERATOR))
    _extras(demo)
    _collect(demo)
    return demo


pytestmark = pytest.mark.django_db


# --- Who signs in ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    label: str
    kind: str  # admin, therapist, patient, operator, token
    user: User
    patient: Patient | None = None
    secret: str = ""
    thorough: bool = False
    first_patient: bool = False

    @property
    def clinic_id(self) -> int | None:
        return self.user.clinic_id

    def client(self) -> Client:
        if self.kind == "token":
            return Client(HTTP_AUTHORIZATION=f"Bearer {self.secret}")
        client = Client()
        client.force_login(self.user)
        return client

    def in_audience(self, audience: str) -> bool | None:
        """Whether the role may use a page for ``audience``; None: not settled here."""
        if audience in (PUBLIC, SIGNED_IN):
            return True
        if self.kind == "operator":
            return None
        return {
            PATIENT: self.kind == "patient",
            STAFF: self.kind in {"admin", "therapist", "token"},
            ADMIN: self.kind == "admin",
        }[audience]


def people(demo: Demo, *, tokens: bool = False) -> list[Person]:
    """Each clinic's admin, therapists and patients (and API token), and the operator. One
    clinic's admin and the other's first therapist ask for every object (``thorough``);
    the others for a sample, to keep the module within a minute."""
    found = [Person("operator", "operator", demo.operator)]
    for number, clinic in enumerate(demo.clinics):
        name = clinic.name.split()[0]
        staff = User.objects.filter(clinic=clinic, role__in=[Role.ADMIN, Role.THERAPIST])
        invited = [u.pk for u in demo.objects["invited"]]
        for index, user in enumerate(staff.exclude(pk__in=invited).order_by("role", "pk")):
            # The admin sorts first, then the therapists.
            thorough = index == (0 if number == 0 else 1)
            found.append(Person(f"{name} {user.role} {user.email}", str(user.role), user,
                                thorough=thorough))  # fmt: skip
        for index, patient in enumerate(Patient.objects.filter(clinic=clinic).order_by("pk")):
            found.append(Person(f"{name} patient {patient.full_name}", "patient", patient.user,
                                patient, thorough=True, first_patient=index == 0))  # fmt: skip
        if tokens:
            token = ApiToken.objects.get(clinic=clinic)
            found.append(Person(f"{name} API token", "token", token.user,
                                secret=demo.secrets[f"token {clinic.pk}"]))  # fmt: skip
    return found


# --- Whose is an object ---------------------------------------------------------------------


def patient_of(obj: Any) -> Patient | None:
    if isinstance(obj, Patient):
        return obj
    if isinstance(obj, ProgramItem):
        return obj.program.patient
    return getattr(obj, "patient", None) if hasattr(obj, "patient_id") else None


def clinic_of(obj: Any) -> int | None:
    """The clinic the object belongs to; None for the shared library."""
    patient = patient_of(obj)
    if patient is not None:
        return patient.clinic_id
    if isinstance(obj, ProgramItem):
        return obj.program.clinic_id
    if isinstance(obj, EvidenceValue):
        return obj.clinic_id
    return obj.clinic_id


def visible(person: Person, obj: Any, name: str) -> bool | None:
    """Whether ``person`` reaches ``obj`` on ``name``'s page (None: not settled here)."""
    if person.kind == "patient":
        assert person.patient is not None
        owner = patient_of(obj)
        if owner is None:  # a photo: their clinic's, of an exercise in their program
            return clinic_of(obj) == person.clinic_id
        return owner.pk == person.patient.pk
    clinic = clinic_of(obj)
    if clinic is None:
        return True if name not in SHARED_LIBRARY_EDITS else None
    if clinic != person.clinic_id:
        return False
    if name in EDITORS_ONLY_READS or _rule(name).writes:
        patient = patient_of(obj)
        if patient is None:
            return None  # a template: its author's, and the admin's, but not settled here
        return person.kind == "admin" or patient.therapist_id == person.user.pk
    return True


# Pages that change an object: the shared library's is not the clinic's to change.
SHARED_LIBRARY_EDITS = frozenset(
    {"exercises:edit", "exercises:evidence-add", "exercises:evidence-edit",
     "exercises:ladder-edit", "media:manage"}
)  # fmt: skip


def _rule(name: str) -> Rule:
    return PAGES[name] if name in PAGES else OPERATIONS[name]


def expected(person: Person, rule: Rule, name: str, obj: Any) -> frozenset[int] | None:
    """The statuses ``person`` may get, or None where only "no 5xx" is checked."""
    if rule.writes and rule.get is None:
        return None  # a POST-only address: 405 before or after the role's check
    allowed = person.in_audience(rule.audience)
    if allowed is None:
        return None
    if not allowed:
        return frozenset({403})
    if obj is not None and rule.audience != PUBLIC:
        seen = visible(person, obj, name)
        if seen is None:
            return None
        if not seen:
            return frozenset({404})
    if rule.writes:
        return rule.get
    return OK_WITH_DEMO_VALUES.get(name, rule.ok)


# Public pages the matrix asks for with a made-up token, here with the demo's real one.
OK_WITH_DEMO_VALUES: dict[str, frozenset[int]] = {
    # A working link is kept in the session and the page sent to the address without it.
    "clinics:set-password": frozenset({302}),
}


# --- Every URL pattern, filled from the demo ------------------------------------------------

Target = tuple[dict[str, Any], Any]  # URL kwargs, and the object they name (None: none)


def _by_public_id(kind: str) -> Callable[[Demo], list[Target]]:
    return lambda demo: [({"public_id": o.public_id}, o) for o in demo.objects[kind]]


def _set_password(demo: Demo) -> list[Target]:
    from apps.clinics.views.staff import set_password_url

    targets = []
    for user in demo.objects["invited"]:
        uidb64, token = set_password_url(user).rstrip("/").split("/")[-2:]
        targets.append(({"uidb64": uidb64, "token": token}, None))
    return targets


def _precautions(demo: Demo) -> list[Target]:
    return [({"public_id": p.patient.public_id, "precaution_id": p.public_id}, p)
            for p in demo.objects["precaution"]]  # fmt: skip


def _personal_links(demo: Demo) -> list[Target]:
    from apps.patients.auth import personal_link_token

    return [({"public_id": p.public_id, "token": personal_link_token(p)}, None)
            for p in demo.objects["patient"]]  # fmt: skip


def _one_time_links(demo: Demo) -> list[Target]:
    from apps.patients.auth import one_time_link_create

    return [({"token": one_time_link_create(patient=p)}, None) for p in demo.objects["patient"]]


def _media_files(demo: Demo) -> list[Target]:
    return [({"public_id": m.public_id, "name": getattr(m, variant).rsplit("/", 1)[-1]}, m)
            for m in demo.objects["media"] for variant in ("thumb", "phone", "print")]  # fmt: skip


def _illustrations(demo: Demo) -> list[Target]:
    from apps.exercises.illustrations import VARIANTS, specs

    return [({"key": key, "variant": variant}, None) for key in specs() for variant in VARIANTS]


def _starters(demo: Demo) -> list[Target]:
    from apps.programs.starters import all_starters

    return [({"key": starter.key}, None) for starter in all_starters()]


def _items(demo: Demo) -> list[Target]:
    return [({"public_id": i.program.public_id, "item_id": i.public_id}, i)
            for i in demo.objects["item"]]  # fmt: skip


def _ladder_items(demo: Demo) -> list[Target]:
    """Only a ladder item has a level, and only in a patient's program."""
    return [
        (kwargs, item)
        for kwargs, item in _items(demo)
        if item.ladder_id is not None and item.program.patient_id is not None
    ]


def _opt_outs(demo: Demo) -> list[Target]:
    from apps.notifications.links import opt_out_token

    return [({"token": opt_out_token(p)}, None) for p in demo.objects["patient"]]


def _licensed(demo: Demo) -> list[Target]:
    from apps.outcomes.instruments import INSTRUMENTS

    return [({"code": str(code)}, None) for code, spec in INSTRUMENTS.items() if spec.licensed]


FILLED: dict[str, Callable[[Demo], list[Target]]] = {
    "clinics:set-password": _set_password,
    "patients:precaution-edit": _precautions,
    "patients:link": _personal_links,
    "patients:one-time": _one_time_links,
    "patients:media": _media_files,
    "media:file": _media_files,
    "exercises:illustration": _illustrations,
    "programs:starter-copy": _starters,
    "programs:item-update": _items,
    "programs:item-level": _ladder_items,
    "programs:item-remove": _items,
    "programs:item-move": _items,
    "notifications:opt-out": _opt_outs,
    "outcomes:wording": _licensed,
}
# URL patterns this test cannot fill from the demo, with the reason. A new pattern fails
# ``test_every_url_pattern_is_filled_from_the_demo_or_listed`` until it is filled or listed.
UNFILLED: dict[str, str] = {}


def page_targets(demo: Demo, name: str, params: tuple[str, ...]) -> list[Target]:
    if name in FILLED:
        return FILLED[name](demo)
    if not params:
        return [({}, None)]
    rule = PAGES[name]
    if rule.obj is not None and params == ("public_id",):
        return _by_public_id(rule.obj)(demo)
    raise LookupError(f"{name}: no demo object fills {params}")


# Pages that answer everyone the same and cost much: asked once, by the first clinic's admin.
ONCE = {"api-schema": "the OpenAPI schema, built in 0.7 s, the same for everyone"}


def planned(person: Person, rule: Rule, name: str, targets: list[Target]) -> list[Target]:
    """What ``person`` asks for, to keep the module within a minute: one object where the
    role is refused before any lookup (from one patient a clinic on staff pages); otherwise
    their own objects (every one if ``thorough``, else the first) and, if ``thorough``, one
    of another clinic's (or patient's). The shared library's every object is asked by the
    thorough therapist, every variant of a public page by the first clinic's admin."""
    first_admin = person.thorough and person.kind == "admin"
    if name in ONCE and not first_admin:
        return []
    refused = person.in_audience(rule.audience) is False
    if refused:
        sampling = person.kind == "patient" and not person.first_patient
        return [] if sampling else targets[:1]
    own = [t for t in targets if t[1] is None or visible(person, t[1], name) is not False]
    foreign = [t for t in targets if t[1] is not None and visible(person, t[1], name) is False]
    library = [t for t in own if t[1] is not None and clinic_of(t[1]) is None]
    if not person.thorough:
        return own[:1]
    if library and person.kind != "therapist":
        own = [t for t in own if t not in library] + library[:1]
    if rule.audience == PUBLIC and not first_admin:
        own = own[:1]
    return own + foreign[:1]


@pytest.fixture(autouse=True)
def _quiet_and_unthrottled(monkeypatch):
    """Thousands of requests from a few people: no throttling, and no log record for each
    expected 403 and 404 (a 5xx is still logged)."""
    from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/min"})
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "100000/min"})
    requests = logging.getLogger("django.request")
    level = requests.level
    requests.setLevel(logging.ERROR)
    yield
    requests.setLevel(level)


@dataclass
class Findings:
    """Server errors and unexpected statuses, each on a line of its own."""

    errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    asked: int = 0

    def check(self, who: Person, url: str, answer: Any, want: frozenset[int] | None) -> None:
        self.asked += 1
        if isinstance(answer, BaseException):
            lines = traceback.format_exception(answer)
            self.errors.append(f"{who.label} GET {url}: {''.join(lines[-3:]).strip()}")
        elif answer.status_code >= 500:
            self.errors.append(f"{who.label} GET {url}: {answer.status_code}")
        elif want is not None and answer.status_code not in want:
            self.unexpected.append(
                f"{who.label} GET {url}: {answer.status_code}, expected {sorted(want)}"
            )

    def assert_clean(self) -> None:
        assert not self.errors, f"{len(self.errors)} server errors:\n" + "\n".join(self.errors)
        assert not self.unexpected, "\n".join(self.unexpected)


def get(client: Client, url: str, **extra: Any) -> Any:
    """The answer, its streamed body read (a stream fails only as it is read), or what the
    view raised."""
    try:
        response = client.get(url, **extra)
        body_of(response)
        return response
    except Exception as exc:  # every failure is reported together
        return exc


# --- The tests ------------------------------------------------------------------------------


def test_every_url_pattern_is_filled_from_the_demo_or_listed(demo):
    unfilled = []
    for route in page_routes():
        if route.name in UNFILLED:
            continue
        try:
            assert page_targets(demo, route.name, route.params), f"{route.name}: none in the demo"
        except (LookupError, AssertionError) as exc:
            unfilled.append(str(exc))
    assert not unfilled, "Fill these from the demo or list them in UNFILLED:\n" + "\n".join(
        unfilled
    )
    assert not set(UNFILLED) - {r.name for r in page_routes()}, "UNFILLED names a gone URL"


def test_every_page_answers_every_demo_role_without_a_server_error(demo):
    findings = Findings()
    routes = [r for r in page_routes() if r.name not in UNFILLED]
    for person in people(demo):
        client = person.client()
        for route in routes:
            rule = PAGES[route.name]
            for kwargs, obj in planned(
                person, rule, route.name, page_targets(demo, route.name, route.params)
            ):
                url = reverse(route.name, kwargs=kwargs)
                findings.check(
                    person, url, get(client, url), expected(person, rule, route.name, obj)
                )
    print(f"{findings.asked} pages asked")
    findings.assert_clean()


def _operation_targets(demo: Demo, path: str, rule: Rule) -> list[Target]:
    names = re.findall(r"\{(\w+)\}", path)
    if not names:
        return [({}, None)]
    assert names == ["public_id"], path
    assert rule.obj is not None, path
    return _by_public_id(rule.obj)(demo)


def test_every_api_read_answers_every_demo_role_without_a_server_error(demo):
    findings = Findings()
    operations = [op for op in api_operations(api_schema()) if op.method == "GET"]
    for person in people(demo, tokens=True):
        client = person.client()
        for operation in operations:
            rule = OPERATIONS[operation.operation_id]
            targets = _operation_targets(demo, operation.path, rule)
            for kwargs, obj in planned(person, rule, operation.operation_id, targets):
                url = operation.path.replace("{public_id}", str(kwargs.get("public_id")))
                want = expected(person, rule, operation.operation_id, obj)
                if person.kind == "token" and not rule.token_allowed:
                    want = frozenset({403})
                findings.check(person, url, get(client, url), want)
    print(f"{findings.asked} API reads asked")
    findings.assert_clean()


def test_the_operator_opens_every_django_admin_page_of_the_demo(demo):
    findings = Findings()
    operator = Person("operator", "operator", demo.operator)
    client = operator.client()
    ok = frozenset({200})
    findings.check(operator, "/ops/admin/", get(client, "/ops/admin/"), ok)
    for model, model_admin in django_admin.site._registry.items():
        meta = model._meta
        base = f"admin:{meta.app_label}_{meta.model_name}"
        findings.check(operator, changelist := reverse(f"{base}_changelist"),
                       get(client, changelist), ok)  # fmt: skip
        if model_admin.has_add_permission(_request(demo.operator)):
            add = reverse(f"{base}_add")
            findings.check(operator, add, get(client, add), ok)
        for obj in model._default_manager.order_by("pk")[:3]:
            change = reverse(f"{base}_change", args=[obj.pk])
            findings.check(operator, change, get(client, change), ok)
    print(f"{findings.asked} admin pages asked")
    findings.assert_clean()


def _request(user: User) -> Any:
    from django.test import RequestFactory

    request = RequestFactory().get("/ops/admin/")
    request.user = user
    return request


def _send_queued_staff_emails() -> None:
    """Run the outbox's staff-email tasks as a worker would."""
    from apps.core.models import OutboxMessage
    from apps.notifications import tasks
    from apps.notifications.dispatch import DELIVER_NOTIFICATIONS

    for message in OutboxMessage.objects.filter(task=DELIVER_NOTIFICATIONS).order_by("pk"):
        tasks.deliver_notifications(*message.args)


def test_every_staff_email_the_demo_raises_is_written_and_sent(demo):
    from apps.notifications.messages import alert_message, prompt_message
    from apps.notifications.models import DeliveryStatus, StaffNotification
    from apps.notifications.token_expiry import token_expiry_warnings_raise

    for token in demo.objects["api_token"]:
        token_expiry_warnings_raise(now=token.expires_at - timedelta(days=2))
    mail.outbox.clear()

    _send_queued_staff_emails()

    rows = StaffNotification.objects.order_by("pk")
    assert {row.kind for row in rows} == {"prompt", "pain_alert", "token_expiry"}
    # A prompt answered or closed before its email went out is not emailed (the fixture
    # answers or closes each).
    answered = "Not sent: the prompt was "
    unsent = [row for row in rows if row.status != DeliveryStatus.SENT]
    assert [(r.kind, r.status, r.error) for r in unsent if not r.error.startswith(answered)] == []
    assert len(mail.outbox) == len(rows) - len(unsent)
    # The same emails without health details, as a clinic may choose.
    Clinic.objects.update(health_details_in_staff_emails=False)
    for prompt in ProgressionPrompt.objects.select_related("patient__clinic"):
        assert "patient ref" in prompt_message(prompt=prompt).subject
    for alert in demo.objects["alert"]:
        alert.refresh_from_db()
        assert "patient ref" in alert_message(alert=alert).subject


def test_every_demo_patient_gets_their_reminder_and_sign_in_emails(demo):
    from apps.notifications.messages import reminder_message
    from apps.notifications.models import Reminder
    from apps.notifications.reminders import reminders_send
    from apps.patients.auth import one_time_links_send, personal_link_url
    from apps.patients.services import patient_link_email_send

    now = timezone.now()
    patients = demo.objects["patient"]
    reminders = [
        Reminder.objects.create(
            patient=patient, local_date=patient.local_today(), due_at=now, channel="email"
        )
        for patient in patients
    ]
    mail.outbox.clear()

    outcomes = reminders_send(reminder_ids=[r.pk for r in reminders], now=now)

    assert not outcomes.get("failed"), outcomes
    for reminder in reminders:
        # Written whether or not it was sent (a day already complete is skipped).
        message = reminder_message(reminder=reminder)
        assert reminder.patient.full_name.split()[0] in message.body
        assert message.short_body
    for patient in patients:
        patient_link_email_send(
            patient=patient, link_url=personal_link_url(patient), actor=patient.therapist
        )
        assert one_time_links_send(email=patient.email, request_id=uuid.uuid4()) == 1
    assert len(mail.outbox) == outcomes.get("sent", 0) + 2 * len(patients)


def test_the_demo_reports_are_built_in_every_format(demo):
    from apps.reports.models import JobStatus

    jobs = demo.objects["report_job"]
    assert {job.format for job in jobs} == {"csv", "xlsx", "pdf"}
    assert [(job.format, job.error) for job in jobs if job.status != JobStatus.DONE] == []


def test_the_library_and_dashboard_answer_every_filter_and_sort_on_the_demo_data(demo):
    """Filters and sorts read the library's real %MVIC values and the demo's week of logs."""
    from apps.exercises.bands import bands_for
    from apps.exercises.models import Muscle
    from apps.exercises.selectors import ORDERINGS
    from apps.reports.dashboard_selectors import SORTS

    findings = Findings()
    clinic = demo.clinics[0]
    admin = Person("admin", "admin", User.objects.get(clinic=clinic, role=Role.ADMIN))
    client = admin.client()
    ok = frozenset({200})
    muscles = ["", *Muscle.values]
    bands = ["", *(band.key for band in bands_for(clinic))]
    queries = [f"?muscle={m}&band={b}" for m in muscles for b in bands]
    queries += [f"?ordering={ordering}" for ordering in ORDERINGS]
    for query in queries:
        for url in (f"/library/{query}", f"/api/v1/exercises/{query}"):
            findings.check(admin, url, get(client, url), ok)
    for column in SORTS:
        for sort in (column, f"-{column}"):
            url = f"/dashboard/?sort={sort}"
            findings.check(admin, url, get(client, url), ok)
    findings.assert_clean()


def test_the_demo_prompts_alerts_and_sets_reach_every_state_the_staff_can_leave_them_in(demo):
    from apps.notifications.models import PainAlert

    statuses = sorted(ProgressionPrompt.objects.values_list("status", flat=True))
    assert statuses == ["approved", "declined", "snoozed", "withdrawn"]
    assert PainAlert.objects.filter(acknowledged_at__isnull=False).exists()
    assert SetLog.objects.filter(pain_corrected_at__isnull=False).exists()
    assert Patient.objects.filter(reminder_channel="sms").exclude(phone="").exists()


@pytest.mark.parametrize(
    ("status", "says"),
    [("snoozed", "Snoozed until"), ("withdrawn", "Why it was closed: The exercise was removed")],
)
def test_the_inbox_and_the_prompt_api_show_the_snoozed_and_the_closed_prompt(demo, status, says):
    """The pages and reads above met every state; here the inbox's card and the API's list
    (filtered by the state, as the schema offers) show it to the therapist who left it so."""
    prompt = ProgressionPrompt.objects.select_related("patient__therapist").get(status=status)
    client = Person("therapist", "therapist", prompt.patient.therapist).client()

    inbox = client.get("/inbox/")
    listed = client.get(f"/api/v1/prompts/?status={status}")

    assert inbox.status_code == 200
    card = inbox.content.decode().split(f'id="prompt-{prompt.public_id}"')[1]
    assert says in card.split("</article>")[0]
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [str(prompt.public_id)]


@dataclass(frozen=True)
class Asked:
    """One page or API read of ``_every_page_and_api_read``, and its answer (as ``get``)."""

    person: Person
    name: str  # the URL pattern's name, or the API operation's id
    url: str
    answer: Any


def _every_page_and_api_read(
    demo: Demo, persons: list[Person], keep: Callable[[Any], bool]
) -> Iterator[Asked]:
    """Every page and API read ``persons`` would ask for (as ``planned``), of the objects
    ``keep`` accepts; an API token asks the API alone (it signs nobody in to a page)."""
    for person in persons:
        client = person.client()
        for route in page_routes() if person.kind != "token" else []:
            if route.name in UNFILLED or route.name in ONCE:
                continue
            rule = PAGES[route.name]
            targets = page_targets(demo, route.name, route.params)
            for kwargs, obj in planned(person, rule, route.name, targets):
                if keep(obj):
                    url = reverse(route.name, kwargs=kwargs)
                    yield Asked(person, route.name, url, get(client, url))
        for operation in _api_reads():
            rule = OPERATIONS[operation.operation_id]
            targets = _operation_targets(demo, operation.path, rule)
            for kwargs, obj in planned(person, rule, operation.operation_id, targets):
                if keep(obj):
                    url = operation.path.replace("{public_id}", str(kwargs.get("public_id")))
                    yield Asked(person, operation.operation_id, url, get(client, url))


def _api_reads() -> list[Any]:
    """The schema's GET operations, built once for the module."""
    if not _API_READS:
        _API_READS.extend(op for op in api_operations(api_schema()) if op.method == "GET")
    return _API_READS


_API_READS: list[Any] = []


def _query_parameters() -> dict[str, set[str]]:
    """Each API read's query parameters, as its schema declares them."""
    return {
        op["operationId"]: {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        for methods in api_schema()["paths"].values()
        for method, op in methods.items()
        if method == "get"
    }


def test_an_archived_patient_s_pages_answer_their_staff_and_their_own_sign_in(demo):
    from apps.patients.archive_services import patient_archive

    patient = demo.objects["patient"][0]
    patient_archive(patient=patient, actor=patient.therapist)
    patient.refresh_from_db()
    staff = [p for p in people(demo) if p.kind in {"admin", "therapist"} and p.thorough]
    own = [Person("archived patient", "patient", patient.user, patient, thorough=True)]

    def theirs(obj: Any) -> bool:
        owner = patient_of(obj) if obj is not None else None
        return obj is None or (owner is not None and owner.pk == patient.pk)

    findings = Findings()
    for asked in _every_page_and_api_read(demo, [*staff, *own], theirs):
        findings.check(asked.person, asked.url, asked.answer, None)
    print(f"{findings.asked} pages and reads asked")
    findings.assert_clean()


def test_a_suspended_clinic_s_people_get_the_suspended_answer_on_every_page(demo):
    """Every page (the API's docs page included) is the app's 403 page that says so; every API
    read (by session or token), a 403 in JSON with ``"code": "clinic_suspended"``. What
    the middleware leaves open (``OPEN_WHILE_SUSPENDED``: signing out, the health check, the
    patients' service worker files and sign-in pages, which refuse by themselves) is only
    checked for a 5xx."""
    from apps.clinics.middleware import OPEN_WHILE_SUSPENDED
    from apps.clinics.services import clinic_suspend
    from apps.clinics.suspension import SUSPENDED_CODE
    from apps.core.middleware import is_api_path

    clinic = demo.clinics[1]
    clinic_suspend(clinic=clinic, actor=demo.operator, reason="Unpaid invoices")
    persons = [p for p in people(demo, tokens=True) if p.clinic_id == clinic.pk]
    findings = Findings()
    for asked in _every_page_and_api_read(demo, persons, lambda obj: True):
        answer = asked.answer
        findings.check(asked.person, asked.url, answer, None)
        if asked.name in OPEN_WHILE_SUSPENDED or isinstance(answer, BaseException):
            continue
        if is_api_path(asked.url):  # the middleware's rule: the docs page is a page
            said = _json(answer).get("code") if answer.status_code == 403 else None
            refused = said == SUSPENDED_CODE
        else:
            pages = [template.name for template in answer.templates]
            refused = answer.status_code == 403 and "clinics/suspended.html" in pages
        if not refused:
            findings.unexpected.append(
                f"{asked.person.label} GET {asked.url}: {answer.status_code}, "
                "not the suspended clinic's answer"
            )
    print(f"{findings.asked} pages and reads asked")
    findings.assert_clean()


def _json(answer: Any) -> dict[str, Any]:
    try:
        found = answer.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def test_a_patient_on_text_reminders_gets_theirs_through_the_sms_backend(demo, settings):
    from apps.core.sms import LocmemSMSBackend
    from apps.notifications.models import Reminder
    from apps.notifications.reminders import reminders_send

    settings.SMS_BACKEND = "apps.core.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox = []
    now = timezone.now()
    texted = list(Patient.objects.filter(reminder_channel="sms").order_by("pk"))
    reminders = [
        Reminder.objects.create(
            patient=patient, local_date=patient.local_today(), due_at=now, channel="sms"
        )
        for patient in texted
    ]

    outcomes = reminders_send(reminder_ids=[r.pk for r in reminders], now=now)

    assert not outcomes.get("failed"), outcomes
    assert len(texted) == len(demo.clinics)
    sent = [r for r in Reminder.objects.filter(pk__in=[r.pk for r in reminders]) if r.sent_at]
    assert sorted(to for to, _ in LocmemSMSBackend.outbox) == sorted(r.patient.phone for r in sent)
    for _, body in LocmemSMSBackend.outbox:
        assert body


# Values a hand-edited or stale address may carry in any query parameter.
ODD_VALUES = ("-1", "abc", "99999999999999999999", "2026-02-30", "\x00", "é漢字🙂" + "x" * 3000)
GET_FORMS = re.compile(r"""<form\b(?![^>]*method="post")[^>]*>(.*?)</form>""", re.S | re.I)
FIELDS = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')
LINK_QUERIES = re.compile(r'href="[^"?]*\?([^"]*)"')


def _query_names(html: str) -> set[str]:
    """The names of the page's search and filter fields and of the query parameters its
    links carry."""
    names = {name for form in GET_FORMS.findall(html) for name in FIELDS.findall(form)}
    for query in LINK_QUERIES.findall(html):
        names |= {pair.split("=")[0] for pair in query.replace("&amp;", "&").split("&")}
    return names - {"csrfmiddlewaretoken", "v", ""}


def test_every_query_parameter_a_page_or_api_read_takes_survives_odd_values(demo):
    """Filters, date ranges, pagination, sorting and searches, with values out of range, of
    the wrong kind, in other scripts, very long or with a NUL: a 4xx or the page unfiltered,
    never a 5xx."""
    from urllib.parse import urlencode

    findings = Findings()
    everyone = people(demo, tokens=True)
    kinds = ("admin", "patient", "token")
    persons = [next(p for p in everyone if p.kind == kind) for kind in kinds]
    for person in persons:
        client = person.client()
        urls: dict[str, set[str]] = {}
        if person.kind != "token":
            for route in page_routes():
                rule = PAGES[route.name]
                if (
                    route.name in UNFILLED
                    or route.name in ONCE
                    or (rule.get is None and rule.writes)
                ):
                    continue
                if person.in_audience(rule.audience) is not True:
                    continue
                targets = page_targets(demo, route.name, route.params)
                own = [t for t in targets if t[1] is None or visible(person, t[1], route.name)]
                for kwargs, _ in own[:1]:
                    url = reverse(route.name, kwargs=kwargs)
                    answer = get(client, url)
                    if getattr(answer, "status_code", 0) == 200 and "html" in answer.get(
                        "Content-Type", ""
                    ):
                        urls[url] = _query_names(answer.content.decode())
        for operation in _api_reads():
            rule = OPERATIONS[operation.operation_id]
            if person.in_audience(rule.audience) is not True:
                continue
            names = _query_parameters().get(operation.operation_id, set())
            targets = _operation_targets(demo, operation.path, rule)
            own = [
                t for t in targets if t[1] is None or visible(person, t[1], operation.operation_id)
            ]
            if names and own:
                kwargs = own[0][0]
                urls[operation.path.replace("{public_id}", str(kwargs.get("public_id")))] = names
        for url, names in urls.items():
            for name in sorted(names):
                for value in ODD_VALUES:
                    query = f"{url}?{urlencode({name: value})}"
                    findings.check(person, query[:200], get(client, query), None)
    print(f"{findings.asked} queries asked")
    findings.assert_clean()
