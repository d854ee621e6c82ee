"""The words of each message, rendered from templates in ``notifications/email/``."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.template.loader import get_template, render_to_string
from django.utils import dateformat, timezone

from apps.audit.describe import short_ref
from apps.core.prerender import PrerenderedTemplate
from apps.notifications import links
from apps.notifications.channels import Message
from apps.notifications.models import PainAlert, Reminder, TokenExpiryWarning
from apps.notifications.selectors import level_infos
from apps.outcomes.selectors import due_count
from apps.patients.models import Patient
from apps.programs.concerns import concerns_for
from apps.programs.models import ProgressionPrompt, PromptStatus

if TYPE_CHECKING:
    from apps.clinics.models import User

_PROMPT_SUBJECTS = {
    PromptStatus.COMPLETE: "{name} has finished the top level of {ladder}",
    PromptStatus.AUTO_APPROVED: "{name} moves up to level {next} of {ladder}",
}
_PROMPT_SUBJECT = "{name} is ready for level {next} of {ladder}: approve?"
_HELD_SUBJECT = "{name} reached the goal at level {level} of {ladder}: held back"


# While a clinic keeps health details out of staff emails (``Clinic.
# health_details_in_staff_emails`` off; on by default), a staff email says what happened, when,
# and links to it in the inbox. It names the patient only by the short reference of the audit
# log (four characters of their random public id): enough to tell two patients' emails apart,
# and to keep each patient's emails in a thread of their own, without saying who it is.
_BRIEF = "notifications/email/brief.txt"
_BRIEF_PROMPT = (
    "Progression to decide",
    "met the goal of their exercise level. Moving them up is yours to decide: approve, "
    "decline or snooze it in your inbox",
)
_BRIEF_PROMPTS = {
    PromptStatus.COMPLETE: (
        "Top of a ladder reached",
        "finished the top level of an exercise ladder: there is no level above it",
    ),
    PromptStatus.AUTO_APPROVED: (
        "Moved up a level automatically",
        "met the goal of their exercise level and moves up automatically (automatic advance "
        "is on for the exercise)",
    ),
}
_BRIEF_ALERT = ("Pain alert", "logged pain at or above your clinic's alert level")


def _brief_message(
    *, patient: Patient, said: tuple[str, str], day: date | None, item_url: str
) -> Message:
    """A staff email without health details: ``said`` is its (subject, what happened)."""
    ref = short_ref(str(patient.public_id))
    context = {
        "therapist": patient.therapist,
        "ref": ref,
        "event": said[1],
        "day": day,
        "item_url": item_url,
    }
    return Message(f"{said[0]}: patient ref {ref}", render_to_string(_BRIEF, context))


def prompt_message(*, prompt: ProgressionPrompt) -> Message:
    """Names the current and next level with their %MVIC, and links to the inbox; only what
    happened and when while the clinic keeps health details out of staff emails."""
    if not prompt.patient.clinic.health_details_in_staff_emails:
        return _brief_message(
            patient=prompt.patient,
            said=_BRIEF_PROMPTS.get(PromptStatus(prompt.status), _BRIEF_PROMPT),
            day=prompt.qualified_on,
            item_url=links.inbox_item_url("prompt", prompt.public_id),
        )
    ladder = prompt.item.ladder
    assert ladder is not None
    infos = level_infos(prompts=[prompt])
    context = {
        "prompt": prompt,
        "patient": prompt.patient,
        "ladder": ladder,
        "current": infos.get((ladder.pk, prompt.level)),
        "next": infos.get((ladder.pk, prompt.next_level)) if prompt.next_level else None,
        "inbox_url": links.inbox_url(),
        "concerns": concerns_for([prompt])[prompt.pk],
    }
    template = _PROMPT_SUBJECTS.get(PromptStatus(prompt.status), _PROMPT_SUBJECT)
    if prompt.is_held_back and prompt.status == PromptStatus.PENDING:
        template = _HELD_SUBJECT
    subject = template.format(
        name=prompt.patient.full_name,
        next=prompt.next_level,
        level=prompt.level,
        ladder=ladder.name,
    )
    return Message(subject, render_to_string("notifications/email/prompt.txt", context))


def alert_message(*, alert: PainAlert) -> Message:
    if not alert.patient.clinic.health_details_in_staff_emails:
        return _brief_message(
            patient=alert.patient,
            said=_BRIEF_ALERT,
            day=alert.local_date,
            item_url=links.inbox_item_url("alert", alert.public_id),
        )
    context = {"alert": alert, "patient": alert.patient, "inbox_url": links.inbox_url()}
    subject = f"Pain alert: {alert.patient.full_name} logged pain {alert.pain}/10"
    return Message(subject, render_to_string("notifications/email/pain_alert.txt", context))


def token_expiry_message(*, warning: TokenExpiryWarning, recipient: User) -> Message:
    """Names the token, its person, creator and scope, and when it expires in its clinic's
    time zone, with the link to the API tokens page; never its secret, nor any part of it."""
    token = warning.token
    zone = ZoneInfo(token.clinic.time_zone)
    expires = timezone.localtime(token.expires_at, zone)
    context = {
        "recipient": recipient,
        "token": token,
        "clinic": token.clinic,
        "expires": expires,
        "created": timezone.localtime(token.created_at, zone),
        "tokens_url": links.api_tokens_url(),
    }
    # The template's dates as given: the date filter would show them in the worker's zone.
    with timezone.override(zone):
        body = render_to_string("notifications/email/token_expiry.txt", context)
    day = dateformat.format(expires, "j F Y")
    return Message(f"API token “{token.name}” expires on {day}", body)


def reminder_message(*, reminder: Reminder, questionnaires: int | None = None) -> Message:
    """One reminder's message (``ReminderMessages`` writes a batch's)."""
    return ReminderMessages().message(reminder=reminder, questionnaires=questionnaires)


REMINDER = "notifications/email/reminder.txt"
REMINDER_SMS = "notifications/email/reminder_sms.txt"


class ReminderMessages:
    """Writes the reminders of a batch. Each template is rendered once per variant (language,
    questionnaires due, personal link or not) and each patient's first name and links are
    filled in (``PrerenderedTemplate``); the links are reversed once (``ReminderLinks``). The
    text is the same as rendering each message with Django's templates
    (tests/notifications/test_reminder_rendering.py)."""

    SLOTS = ("first_name", "personal_link", "opt_out_url")

    def __init__(self) -> None:
        self._links = links.ReminderLinks()
        self._body = PrerenderedTemplate(get_template(REMINDER), slots=self.SLOTS)
        self._short = PrerenderedTemplate(get_template(REMINDER_SMS), slots=self.SLOTS)

    def message(self, *, reminder: Reminder, questionnaires: int | None = None) -> Message:
        """Links straight to today, with the personal link (while it works) for a phone that
        is signed out, and a one-click opt-out (also as List-Unsubscribe headers, RFC 8058).
        ``questionnaires`` is the number due that day when the caller read it for many
        reminders at once (``due_counts``)."""
        context = self.context(reminder=reminder, questionnaires=questionnaires)
        opt_out = context["opt_out_url"]
        return Message(
            subject="Time for today's hip exercises",
            body=self._body.render(context),
            short_body=self._short.render(context).strip(),
            headers={
                "List-Unsubscribe": f"<{opt_out}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )

    def context(self, *, reminder: Reminder, questionnaires: int | None = None) -> dict[str, Any]:
        """The templates' context for one reminder."""
        patient = reminder.patient
        return {
            "first_name": patient.full_name.split(" ")[0],
            "today_url": self._links.today,
            "reminders_url": self._links.reminders,
            # Only a link that works, and sending it never extends it: the link is the same
            # in every email and handout it was ever sent in, so a reminder that renewed its
            # days would keep all of those copies working for as long as reminders go out,
            # and the link would never expire. Without it the email points to the one-time
            # sign-in.
            "personal_link": self._links.personal(patient) if patient.link_active else None,
            "sign_in_url": self._links.sign_in,
            "opt_out_url": self._links.opt_out(patient),
            # Due questionnaires ride along with this reminder, never in a message of their
            # own.
            "questionnaires": (
                due_count(patient=patient, on=reminder.local_date)
                if questionnaires is None
                else questionnaires
            ),
        }
