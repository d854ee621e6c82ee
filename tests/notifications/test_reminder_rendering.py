"""A batch's reminders, written from templates rendered once per variant with the personal
parts filled in (``ReminderMessages``), are byte for byte what Django's templates render for
each patient: names with HTML's special characters, links working or not, questionnaires
due or not, other languages, another site address and script prefix."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import set_script_prefix
from django.utils import timezone, translation

from apps.notifications import links
from apps.notifications.messages import REMINDER, REMINDER_SMS, ReminderMessages
from apps.notifications.models import Reminder
from apps.patients.auth import personal_link_url
from apps.patients.models import Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

NAMES = [
    "Ann Lee",
    "<b>Bo</b> & co",
    'O\'Brien "Jo"',
    "Zoë Ångström",
    "  leading spaces",
    "",
    "{{ first_name }} {% if %}",
    "Tab\tand\nnew line",
    "Ann\t Lee",
    "José-María de la Cruz",
]


def reference(reminder: Reminder, questionnaires: int) -> tuple[str, str]:
    """What the app wrote before: each message rendered with Django's templates."""
    patient = reminder.patient
    context = {
        "first_name": patient.full_name.split(" ")[0],
        "today_url": links.today_url(),
        "reminders_url": links.reminder_settings_url(),
        "personal_link": personal_link_url(patient) if patient.link_active else None,
        "sign_in_url": links.sign_in_by_email_url(),
        "opt_out_url": links.opt_out_url(patient),
        "questionnaires": questionnaires,
    }
    return render_to_string(REMINDER, context), render_to_string(REMINDER_SMS, context).strip()


def patients() -> list[Patient]:
    made = []
    for n, name in enumerate(NAMES):
        patient = Patient.objects.get(pk=PatientFactory(full_name=name, link_version=n + 1).pk)
        if n % 3 == 1:
            patient.link_issued_at = timezone.now() - timedelta(days=400)  # expired
        if n % 3 == 2:
            patient.link_revoked_at = timezone.now()
        patient.save()
        made.append(patient)
    return made


def reminders_for(made: list[Patient]) -> list[Reminder]:
    now = timezone.now()
    return [
        Reminder.objects.create(patient=p, local_date=p.local_today(), due_at=now) for p in made
    ]


def assert_same(writer: ReminderMessages, reminders: list[Reminder]) -> None:
    for n, reminder in enumerate(reminders):
        for questionnaires in (0, 1, n % 4):
            message = writer.message(reminder=reminder, questionnaires=questionnaires)
            body, short_body = reference(reminder, questionnaires)
            assert message.body == body
            assert message.short_body == short_body
            assert message.headers["List-Unsubscribe"] == f"<{links.opt_out_url(reminder.patient)}>"


def test_a_batch_writes_what_the_templates_render_for_each_patient():
    assert_same(ReminderMessages(), reminders_for(patients()))


@pytest.mark.parametrize("language", ["fr", "de", "en-gb"])
def test_in_another_language_too(language):
    reminders = reminders_for(patients())
    with translation.override(language):
        assert_same(ReminderMessages(), reminders)


def test_under_another_site_address_and_script_prefix(settings):
    settings.SITE_URL = "https://clinic.example:8443/x"
    reminders = reminders_for(patients())
    set_script_prefix("/hips/")
    try:
        assert_same(ReminderMessages(), reminders)
    finally:
        set_script_prefix("/")


def test_the_batch_links_are_the_links_of_each_patient():
    made = patients()
    batch = links.ReminderLinks()
    for patient in made:
        assert batch.opt_out(patient) == links.opt_out_url(patient)
        assert batch.personal(patient) == personal_link_url(patient)
    assert (batch.today, batch.sign_in) == (links.today_url(), links.sign_in_by_email_url())


def test_a_token_reverse_would_quote_takes_the_slow_road(monkeypatch):
    patient = PatientFactory()
    monkeypatch.setattr(links, "opt_out_token", lambda patient: "a b?c#d%")
    assert links.ReminderLinks().opt_out(patient) == links.opt_out_url(patient)
