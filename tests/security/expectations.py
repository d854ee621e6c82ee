"""Who may use each page and API operation: the rules the isolation matrix checks.

Add an entry when you add a URL or an API operation (the matrix fails until you do). Say who
it is for (``audience``), which object its URL names (``obj``: a kind built by
``tests/security/world.py``), and whether it changes state (``writes``: the matrix then sends
it only where it must be refused, never for the owner). A write whose address answers a GET
too (``get``: a redirect to the page that owns its form, ``apps.core.post_only``) is also
asked with a GET by every role, for both clinics' objects. Everything else is derived:

* anonymous: pages redirect to sign-in (302), API operations answer 401;
* a signed-in user outside the audience (a role that may not use it): 403, always, before
  any object is looked up (``apps.clinics.access``);
* another clinic's object (another patient's, for a patient): 404;
* the audience on their own clinic's object: ``ok`` (200 unless stated).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed_in"  # any signed-in user
PATIENT = "patient"  # the patient themself
STAFF = "staff"  # therapists and clinic admins
ADMIN = "admin"  # clinic admins only


@dataclass(frozen=True)
class Rule:
    audience: str
    obj: str | None = None
    writes: bool = False
    ok: frozenset[int] = frozenset({200})
    # URL kwargs that are not an object's public_id (e.g. a link token), from a world side.
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    # Public pages may show what their URL unlocks (a personal link shows a first name).
    leak_check: bool = True
    # API tokens act as a staff member but may not manage tokens.
    token_allowed: bool = True
    # What a GET of a write's address answers the audience on their own object, when it
    # answers one (a redirect to the page that owns its form); None: a GET is not checked.
    get: frozenset[int] | None = None


# A GET of a POST-only address whose refusals show a page: the page that owns its form.
REDIRECT = frozenset({302})
# A part of a page that htmx asks for, opened without htmx: the page it belongs to
# (``apps.core.htmx.fragment_of``).
PART = frozenset({302})


def _personal_link(side: Any) -> dict[str, Any]:
    from apps.patients.auth import personal_link_token

    return {"public_id": side.patient.public_id, "token": personal_link_token(side.patient)}


def _program_item(side: Any) -> dict[str, Any]:
    return {
        "public_id": side.objects["program"].public_id,
        "item_id": side.objects["item"].public_id,
    }


def _precaution(side: Any) -> dict[str, Any]:
    return {
        "public_id": side.patient.public_id,
        "precaution_id": side.objects["precaution"].public_id,
    }


def _starter(side: Any) -> dict[str, Any]:
    # Starter programs are the same for every clinic: the copy is always the user's own.
    return {"key": "pelvic-rotation"}


def _program_ladder_item(side: Any) -> dict[str, Any]:
    return {
        "public_id": side.objects["program"].public_id,
        "item_id": side.objects["ladder_item"].public_id,
    }


def _licensed_instrument(side: Any) -> dict[str, Any]:
    return {"code": "lefs"}


def _bad_token(side: Any) -> dict[str, Any]:
    return {"token": "not-a-valid-token"}


def _illustration(side: Any) -> dict[str, Any]:
    # The drawings are the app's own artwork of the shared library: public, like /static/.
    return {"key": "clam-1", "variant": "pair"}


def _media_file(side: Any) -> dict[str, Any]:
    media = side.objects["media"]
    return {"public_id": media.public_id, "name": media.thumb.rsplit("/", 1)[-1]}


def _bad_set_password(side: Any) -> dict[str, Any]:
    return {"uidb64": "MA", "token": "not-a-valid-token"}


PAGES: dict[str, Rule] = {
    "core:home": Rule(SIGNED_IN, ok=frozenset({302})),
    "core:healthz": Rule(PUBLIC, ok=frozenset({200, 503})),
    "clinics:login": Rule(PUBLIC),
    "clinics:verify": Rule(PUBLIC, ok=frozenset({302})),
    "clinics:logout": Rule(PUBLIC, ok=frozenset({405})),
    # Staff and operators (not in the matrix): patients sign in with their link, no app.
    "clinics:two-factor": Rule(STAFF),
    "clinics:api-tokens": Rule(ADMIN),
    "clinics:settings": Rule(ADMIN),
    "clinics:staff": Rule(ADMIN),
    "clinics:staff-resend": Rule(ADMIN, obj="invited", writes=True),
    "clinics:staff-cancel": Rule(ADMIN, obj="invited", writes=True),
    "clinics:set-password": Rule(PUBLIC, kwargs=_bad_set_password),
    "clinics:api-token-revoke": Rule(ADMIN, obj="api_token", writes=True),
    "clinics:api-token-created": Rule(ADMIN, obj="api_token"),
    "patients:link": Rule(PUBLIC, kwargs=_personal_link, leak_check=False),
    "patients:one-time-request": Rule(PUBLIC),
    "patients:one-time": Rule(PUBLIC, kwargs=_bad_token, ok=frozenset({200, 404, 410})),
    "patients:list": Rule(STAFF),
    "patients:create": Rule(STAFF),
    "patients:detail": Rule(STAFF, obj="patient"),
    "patients:edit": Rule(STAFF, obj="patient"),
    "patients:link-revoke": Rule(STAFF, obj="patient", writes=True),
    "patients:archive": Rule(STAFF, obj="patient", writes=True),
    "patients:hand-over": Rule(ADMIN, obj="therapist"),
    "patients:handout": Rule(STAFF, obj="patient"),
    "patients:precaution-edit": Rule(STAFF, obj="patient", kwargs=_precaution),
    "patients:privacy-export": Rule(ADMIN, obj="patient"),
    "patients:privacy-erase": Rule(ADMIN, obj="patient"),
    "patients:today": Rule(PATIENT),
    "patients:history": Rule(PATIENT),
    "patients:reminders": Rule(PATIENT),
    "patients:log-set": Rule(PATIENT, writes=True, get=REDIRECT),
    "patients:morning-check": Rule(PATIENT, writes=True, get=REDIRECT),
    "patients:log-edit": Rule(PATIENT, obj="set_log"),
    "patients:offline": Rule(PUBLIC),
    "patients:manifest": Rule(PUBLIC),
    "patients:service-worker": Rule(PUBLIC),
    "notifications:inbox": Rule(STAFF),
    "notifications:reminders": Rule(STAFF),
    "notifications:approve": Rule(STAFF, obj="prompt", writes=True, get=REDIRECT),
    "notifications:decline": Rule(STAFF, obj="prompt", writes=True, get=REDIRECT),
    "notifications:snooze": Rule(STAFF, obj="prompt", writes=True, get=REDIRECT),
    "notifications:alert-seen": Rule(STAFF, obj="alert", writes=True),
    "notifications:opt-out": Rule(PUBLIC, kwargs=_bad_token, ok=frozenset({200, 400, 404})),
    "exercises:library": Rule(STAFF),
    "exercises:create": Rule(STAFF),
    "exercises:edit": Rule(STAFF, obj="exercise"),
    "exercises:evidence-add": Rule(STAFF, obj="exercise"),
    "exercises:evidence-edit": Rule(STAFF, obj="evidence"),
    "exercises:ladder-create": Rule(STAFF),
    "exercises:ladder-edit": Rule(STAFF, obj="ladder"),
    "exercises:study-create": Rule(STAFF),
    "exercises:detail": Rule(STAFF, obj="exercise"),
    "exercises:ladders": Rule(STAFF),
    "exercises:ladder": Rule(STAFF, obj="ladder"),
    "exercises:illustration": Rule(PUBLIC, kwargs=_illustration),
    "media:manage": Rule(STAFF, obj="exercise"),
    "media:first": Rule(STAFF, obj="media", writes=True),
    "media:delete": Rule(STAFF, obj="media", writes=True),
    "media:file": Rule(STAFF, obj="media", kwargs=_media_file),
    # A patient's own clinic's photo of an exercise in their program; any other is a 404.
    "patients:media": Rule(PATIENT, obj="media", kwargs=_media_file),
    "programs:list": Rule(STAFF),
    "programs:new": Rule(STAFF),
    "programs:starter-copy": Rule(STAFF, kwargs=_starter, writes=True),
    "programs:builder": Rule(STAFF, obj="program"),
    "programs:exercise-search": Rule(STAFF, obj="program", ok=PART),
    "programs:item-add-exercise": Rule(STAFF, obj="program", writes=True, get=REDIRECT),
    "programs:item-add-ladder": Rule(STAFF, obj="program", writes=True, get=REDIRECT),
    "programs:item-update": Rule(
        STAFF, obj="program", kwargs=_program_item, writes=True, get=REDIRECT
    ),
    "programs:item-remove": Rule(
        STAFF, obj="program", kwargs=_program_item, writes=True, get=REDIRECT
    ),
    "programs:item-level": Rule(STAFF, obj="program", kwargs=_program_ladder_item),
    "programs:item-move": Rule(
        STAFF, obj="program", kwargs=_program_item, writes=True, get=REDIRECT
    ),
    "reports:adherence": Rule(ADMIN),
    "reports:job": Rule(ADMIN, obj="report_job"),
    "reports:job_progress": Rule(ADMIN, obj="report_job", ok=PART),
    "reports:job_download": Rule(ADMIN, obj="report_job"),
    "reports:dashboard": Rule(STAFF),
    "reports:patient-progress": Rule(STAFF, obj="patient"),
    "audit:log": Rule(ADMIN),
    "audit:export": Rule(ADMIN),
    "outcomes:patient": Rule(STAFF, obj="patient"),
    "outcomes:report-pdf": Rule(STAFF, obj="progress_report"),
    "outcomes:instruments": Rule(ADMIN),
    "outcomes:wording": Rule(ADMIN, kwargs=_licensed_instrument),
    "outcomes:monitoring": Rule(ADMIN),
    "outcomes:monitoring-toggle": Rule(ADMIN, writes=True),
    "outcomes:questionnaire": Rule(PATIENT, obj="questionnaire"),
    "api-schema": Rule(PUBLIC),
    "api-docs": Rule(PUBLIC),
}

# API operations by the operationId drf-spectacular gives them (see /api/schema/).
OPERATIONS: dict[str, Rule] = {
    "whoami": Rule(SIGNED_IN),
    "tokens_list": Rule(ADMIN, token_allowed=False),
    "tokens_create": Rule(ADMIN, writes=True, token_allowed=False),
    "tokens_revoke": Rule(ADMIN, obj="api_token", writes=True, token_allowed=False),
    "patients_list": Rule(STAFF),
    "patients_create": Rule(STAFF, writes=True),
    "patients_retrieve": Rule(STAFF, obj="patient"),
    "patients_update": Rule(STAFF, obj="patient", writes=True),
    "patients_archive": Rule(STAFF, obj="patient", writes=True),
    "patients_restore": Rule(STAFF, obj="patient", writes=True),
    "patients_precautions_list": Rule(STAFF, obj="patient"),
    "patients_precautions_create": Rule(STAFF, obj="patient", writes=True),
    "patients_precautions_update": Rule(STAFF, obj="patient", kwargs=_precaution, writes=True),
    "patients_precautions_end": Rule(STAFF, obj="patient", kwargs=_precaution, writes=True),
    "programs_list": Rule(STAFF),
    "programs_create": Rule(STAFF, writes=True),
    "programs_retrieve": Rule(STAFF, obj="program"),
    "programs_update": Rule(STAFF, obj="program", writes=True),
    "programs_assign": Rule(STAFF, obj="program", writes=True),
    "programs_save_as_template": Rule(STAFF, obj="program", writes=True),
    "programs_items_create": Rule(STAFF, obj="program", writes=True),
    "programs_items_reorder": Rule(STAFF, obj="program", writes=True),
    "programs_items_update": Rule(STAFF, obj="program", kwargs=_program_item, writes=True),
    "programs_items_remove": Rule(STAFF, obj="program", kwargs=_program_item, writes=True),
    "programs_items_level_create": Rule(
        STAFF, obj="program", kwargs=_program_ladder_item, writes=True
    ),
    "me_today_retrieve": Rule(PATIENT),
    "me_logs_list": Rule(PATIENT),
    "me_logs_create": Rule(PATIENT, writes=True),
    "me_logs_batch": Rule(PATIENT, writes=True),
    "me_logs_retrieve": Rule(PATIENT, obj="set_log"),
    "me_logs_partial_update": Rule(PATIENT, obj="set_log", writes=True),
    "me_logs_destroy": Rule(PATIENT, obj="set_log", writes=True),
    "me_morning_check_create": Rule(PATIENT, writes=True),
    "me_reminders_retrieve": Rule(PATIENT),
    "me_reminders_partial_update": Rule(PATIENT, writes=True),
    "exercises_list": Rule(STAFF),
    "exercises_retrieve": Rule(STAFF, obj="exercise"),
    "exercises_media_list": Rule(STAFF, obj="exercise"),
    "exercises_media_create": Rule(STAFF, obj="exercise", writes=True),
    "media_retrieve": Rule(STAFF, obj="media"),
    "media_destroy": Rule(STAFF, obj="media", writes=True),
    "media_replace": Rule(STAFF, obj="media", writes=True),
    "media_first": Rule(STAFF, obj="media", writes=True),
    "ladders_list": Rule(STAFF),
    "ladders_retrieve": Rule(STAFF, obj="ladder"),
    "evidence_list": Rule(STAFF),
    "report_jobs_list": Rule(ADMIN),
    "report_jobs_create": Rule(ADMIN, writes=True),
    "report_jobs_retrieve": Rule(ADMIN, obj="report_job"),
    "report_jobs_file": Rule(ADMIN, obj="report_job"),
    "patients_logs_list": Rule(STAFF, obj="patient"),
    "patients_adherence_retrieve": Rule(STAFF, obj="patient"),
    "prompts_list": Rule(STAFF),
    "prompts_approve_create": Rule(STAFF, obj="prompt", writes=True),
    "prompts_decline_create": Rule(STAFF, obj="prompt", writes=True),
    "prompts_snooze_create": Rule(STAFF, obj="prompt", writes=True),
    "alerts_list": Rule(STAFF),
    "alerts_seen_create": Rule(STAFF, obj="alert", writes=True),
    "reminders_list": Rule(STAFF),
    "outcomes_measures_retrieve": Rule(STAFF, obj="program"),
    "outcomes_measures_update": Rule(STAFF, obj="program", writes=True),
    "outcomes_trends_retrieve": Rule(STAFF, obj="patient"),
    "outcomes_reports_create": Rule(STAFF, obj="patient", writes=True),
    "outcomes_reports_retrieve": Rule(STAFF, obj="progress_report"),
    "outcomes_questionnaires_retrieve": Rule(STAFF, obj="questionnaire"),
    "outcomes_time_entries_list": Rule(STAFF, obj="patient"),
    "outcomes_time_entries_create": Rule(STAFF, obj="patient", writes=True),
    "me_questionnaires_list": Rule(PATIENT),
    "me_questionnaires_retrieve": Rule(PATIENT, obj="questionnaire"),
    "me_questionnaires_answers": Rule(PATIENT, obj="questionnaire", writes=True),
    "me_questionnaires_submit": Rule(PATIENT, obj="questionnaire", writes=True),
}

# Reads that only those who may change the patient get (their own therapist, a clinic admin):
# another therapist of the clinic gets 404 here, while every other read of a colleague's
# patient is open to the clinic's staff. Changes (``writes``) are always theirs only.
EDITORS_ONLY_READS = frozenset(
    {
        "patients:edit",
        "patients:precaution-edit",
        "patients:handout",
        "programs:builder",
        "programs:exercise-search",
        "programs:item-level",
        "outcomes_measures_retrieve",
    }
)
