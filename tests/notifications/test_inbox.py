"""The therapist's inbox page and its actions."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.notifications.models import PainAlert
from apps.programs.models import PromptStatus
from tests.conftest import signed_in
from tests.factories import PatientFactory, StaffFactory
from tests.notifications.conftest import make_prompt

pytestmark = pytest.mark.django_db


def approve_url(prompt):
    return reverse("notifications:approve", args=[prompt.public_id])


def test_the_inbox_shows_the_therapists_prompts_and_alerts(therapist_a, prompt_a, prompt_b):
    PainAlert.objects.create(patient=prompt_a.patient, local_date="2025-01-01", pain=8)

    response = signed_in(therapist_a).get(reverse("notifications:inbox"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ann A" in html
    assert "Ben B" not in html
    assert "Approve level 2" in html
    assert "pain <strong>8/10</strong>" in html
    assert AuditEntry.objects.filter(actor=therapist_a, action="view").exists()


def test_a_therapist_sees_only_their_own_patients_an_admin_the_whole_clinic(
    therapist_a, admin_a, prompt_a
):
    colleague = StaffFactory(clinic=therapist_a.clinic)
    make_prompt(PatientFactory(therapist=colleague, full_name="Cara C"))

    mine = signed_in(therapist_a).get(reverse("notifications:inbox")).content.decode()
    clinic = signed_in(admin_a).get(reverse("notifications:inbox")).content.decode()

    assert ("Ann A" in mine, "Cara C" in mine) == (True, False)
    assert ("Ann A" in clinic, "Cara C" in clinic) == (True, True)


def test_the_inbox_takes_the_same_queries_for_more_prompts(
    therapist_a, patient_a, django_assert_max_num_queries
):
    for _ in range(3):
        make_prompt(patient_a)
    client = signed_in(therapist_a)
    client.get(reverse("notifications:inbox"))
    for _ in range(5):
        make_prompt(PatientFactory(therapist=therapist_a))
        PainAlert.objects.create(
            patient=PatientFactory(therapist=therapist_a), local_date="2025-01-01", pain=9
        )

    # One of them: whether each open prompt's exercise is still in the program.
    # One of them: the staff menu's count of what waits in the inbox.
    with django_assert_max_num_queries(18):
        response = client.get(reverse("notifications:inbox"))

    assert response.content.decode().count("Approve level 2") == 8


def test_approving_advances_the_patient_from_tomorrow(therapist_a, prompt_a):
    response = signed_in(therapist_a).post(approve_url(prompt_a), {"note": "Well done!"})

    assert response.status_code == 302
    prompt_a.refresh_from_db()
    prompt_a.item.refresh_from_db()
    assert prompt_a.status == PromptStatus.APPROVED
    assert prompt_a.item.current_level == 2
    assert prompt_a.item.level_since == prompt_a.patient.local_today() + timedelta(days=1)
    assert prompt_a.item.level_changes.get().reason == "Well done!"
    assert AuditEntry.objects.filter(action="change", target_ref=str(prompt_a.public_id)).exists()


def test_an_htmx_approval_returns_the_updated_card(therapist_a, prompt_a):
    response = signed_in(therapist_a).post(approve_url(prompt_a), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="prompt-{prompt_a.public_id}"' in html
    assert "Approved" in html
    assert "<html" not in html


def test_an_approved_card_says_from_which_day_the_new_level_starts(therapist_a, prompt_a):
    client = signed_in(therapist_a)
    client.post(approve_url(prompt_a))
    prompt_a.item.refresh_from_db()
    starts = prompt_a.item.level_since

    html = re.sub(r"\s+", " ", client.get(reverse("notifications:inbox")).content.decode())

    assert re.search(r"<dt>Was</dt> <dd>Level 1\b", html)
    assert re.search(
        r"<dt>Moved to</dt> <dd>Level 2\b[^<]*, from " + starts.strftime("%A %-d %B"), html
    )
    assert "<dt>Now</dt>" not in html


def test_declining_without_a_reason_is_a_400_that_says_why(therapist_a, prompt_a):
    url = reverse("notifications:decline", args=[prompt_a.public_id])

    response = signed_in(therapist_a).post(url, {"reason": ""})

    assert response.status_code == 400
    assert "Say why you are keeping the patient at this level." in response.content.decode()
    prompt_a.refresh_from_db()
    assert prompt_a.status == PromptStatus.PENDING


def test_a_decline_refused_without_javascript_opens_its_fold_and_ties_the_reason_to_the_message(
    therapist_a, prompt_a
):
    url = reverse("notifications:decline", args=[prompt_a.public_id])

    html = signed_in(therapist_a).post(url, {"reason": ""}).content.decode()

    summary = f"prompt-{prompt_a.public_id}-errors"
    assert f'<div class="form-errors" role="alert" tabindex="-1" id="{summary}">' in html
    reason = f'id="reason-{prompt_a.public_id}" name="reason" aria-invalid="true"'
    assert f'{reason} aria-describedby="{summary}"' in html
    assert '<details open>\n      <summary class="button">Decline</summary>' in html
    assert html.count('aria-invalid="true"') == 1  # the note of "Approve" is not in error


def test_declining_with_a_reason_keeps_the_level(therapist_a, prompt_a):
    url = reverse("notifications:decline", args=[prompt_a.public_id])

    signed_in(therapist_a).post(url, {"reason": "Hip still sore"})

    prompt_a.refresh_from_db()
    assert (prompt_a.status, prompt_a.decision_reason) == ("declined", "Hip still sore")


def test_snoozing_hides_the_prompt_until_the_date(therapist_a, prompt_a):
    url = reverse("notifications:snooze", args=[prompt_a.public_id])
    until = prompt_a.patient.local_today() + timedelta(days=3)

    signed_in(therapist_a).post(url, {"until": until.isoformat()})

    prompt_a.refresh_from_db()
    assert (prompt_a.status, prompt_a.snoozed_until) == ("snoozed", until)
    html = signed_in(therapist_a).get(reverse("notifications:inbox")).content.decode()
    assert "Snoozed until" in html


def test_a_snooze_date_in_the_past_is_a_400(therapist_a, prompt_a):
    url = reverse("notifications:snooze", args=[prompt_a.public_id])

    response = signed_in(therapist_a).post(url, {"until": "2000-01-01"})

    assert response.status_code == 400
    assert "Choose a date after today." in response.content.decode()


def test_approving_twice_is_a_400_not_a_second_level(therapist_a, prompt_a):
    client = signed_in(therapist_a)
    client.post(approve_url(prompt_a))

    response = client.post(approve_url(prompt_a))

    assert response.status_code == 400
    assert "already been answered" in response.content.decode()
    assert prompt_a.item.level_changes.count() == 1


def test_a_prompt_whose_program_ran_out_cannot_be_approved_only_declined(therapist_a, prompt_a):
    """Approving used to answer "approved" and record a level change on the ended row: a
    level nobody is given. An end date set in advance that has come changes nothing that
    would close the prompt (removing the exercise or ending the program now closes it: see
    tests/programs/test_prompt_withdraw.py), so the card says why and offers only the
    decline that closes it."""
    from apps.programs.models import Program

    today = prompt_a.patient.local_today()
    Program.objects.filter(pk=prompt_a.item.program_id).update(end_date=today)
    client = signed_in(therapist_a)

    inbox = client.get(reverse("notifications:inbox")).content.decode()
    response = client.post(approve_url(prompt_a))

    assert "no longer in the patient's program" in inbox
    assert "Approve level 2" not in inbox
    assert response.status_code == 400
    assert "no longer in the patient" in response.content.decode()
    prompt_a.refresh_from_db()
    assert prompt_a.status == PromptStatus.PENDING
    assert not prompt_a.item.level_changes.exists()
    decline = reverse("notifications:decline", args=[prompt_a.public_id])
    assert client.post(decline, {"reason": "Exercise removed"}).status_code == 302


def test_a_prompt_of_a_program_that_has_ended_cannot_be_approved(therapist_a, prompt_a):
    from datetime import timedelta

    from apps.programs.edit_services import program_schedule_update

    program = prompt_a.item.program
    today = prompt_a.patient.local_today()
    program_schedule_update(
        actor=therapist_a, program=program, weekdays=program.weekday_numbers,
        start_date=program.start_date, end_date=today - timedelta(days=1),
    )  # fmt: skip

    response = signed_in(therapist_a).post(approve_url(prompt_a))

    assert response.status_code == 400
    assert not prompt_a.item.level_changes.exists()


def test_another_clinics_prompt_is_a_404(therapist_a, admin_a, prompt_b):
    for user in (therapist_a, admin_a):
        assert signed_in(user).post(approve_url(prompt_b)).status_code == 404
    prompt_b.refresh_from_db()
    assert prompt_b.status == PromptStatus.PENDING


def test_a_colleagues_patient_is_a_404_for_a_therapist(therapist_a):
    colleague = StaffFactory(clinic=therapist_a.clinic)
    prompt = make_prompt(PatientFactory(therapist=colleague))

    assert signed_in(therapist_a).post(approve_url(prompt)).status_code == 404


def test_patients_cannot_open_the_inbox(patient_a, prompt_a):
    client = signed_in(patient_a.user)

    assert client.get(reverse("notifications:inbox")).status_code == 403
    assert client.post(approve_url(prompt_a)).status_code == 403


def test_marking_an_alert_seen_removes_it_from_the_inbox(therapist_a, patient_a):
    alert = PainAlert.objects.create(patient=patient_a, local_date="2025-01-01", pain=8)
    client = signed_in(therapist_a)

    response = client.post(reverse("notifications:alert-seen", args=[alert.public_id]))

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == therapist_a
    assert "8/10" not in client.get(reverse("notifications:inbox")).content.decode()


def test_another_clinics_alert_is_a_404(therapist_a, patient_b):
    alert = PainAlert.objects.create(patient=patient_b, local_date="2025-01-01", pain=8)

    url = reverse("notifications:alert-seen", args=[alert.public_id])
    assert signed_in(therapist_a).post(url).status_code == 404


def test_a_held_back_prompt_shows_as_such_in_the_inbox_with_the_pain(therapist_a, prompt_a):
    from apps.notifications.services import set_log_evaluate
    from tests.notifications.factories import SetLogFactory

    set_log_evaluate(log_id=SetLogFactory(item=prompt_a.item, reps=4, pain=8).pk)

    html = signed_in(therapist_a).get(reverse("notifications:inbox")).content.decode()

    assert "Held back: pain 8/10" in html
    assert "logged pain 8 out of 10" in html


def test_the_prompt_email_says_when_the_prompt_is_held_back(prompt_a):
    from apps.notifications.messages import prompt_message

    prompt_a.held_back_pain = 7
    message = prompt_message(prompt=prompt_a)

    assert "held back" in message.subject
    assert "Held back: pain 7 out of 10" in message.body


def test_the_pain_alert_email_names_what_was_logged(patient_a):
    from apps.notifications.messages import alert_message
    from tests.factories import ExerciseItemFactory, ProgramFactory
    from tests.notifications.factories import SetLogFactory

    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a), per_side=True)
    log = SetLogFactory(item=item, side="left", reps=12, pain=8, note="sharp at the top")
    alert = PainAlert.objects.create(
        patient=patient_a, local_date=log.performed_on, pain=8, log=log,
        exercise_name=item.exercise.name,
    )  # fmt: skip

    body = alert_message(alert=alert).body

    assert f"during {item.exercise.name}: 12 reps on the left side, set 1" in body
    assert '"sharp at the top"' in body


def test_approving_after_pain_needs_approve_anyway_with_a_reason_on_the_page(therapist_a, prompt_a):
    from tests.notifications.factories import SetLogFactory

    SetLogFactory(item=prompt_a.item, reps=6, pain=8, note="it pinched")
    client = signed_in(therapist_a)

    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "Pain 8/10" in html
    assert '"it pinched"' in html
    assert "Approve anyway: level 2" in html

    refused = client.post(approve_url(prompt_a), {"note": ""})
    assert refused.status_code == 400
    assert "To approve anyway, give your reason" in refused.content.decode()
    prompt_a.refresh_from_db()
    assert prompt_a.status == PromptStatus.PENDING

    done = client.post(
        approve_url(prompt_a), {"note": "", "override_reason": "Cramp, not the hip."}
    )
    assert done.status_code == 302
    prompt_a.refresh_from_db()
    assert (prompt_a.status, prompt_a.override_reason) == ("approved", "Cramp, not the hip.")
    # The trail records that a reason was given; the words, about the patient's pain, stay
    # with the prompt (erased with the patient), never in the append-only log.
    assert AuditEntry.objects.filter(
        detail="approved anyway (reason kept with the prompt)"
    ).exists()
    assert not AuditEntry.objects.filter(detail__contains="Cramp").exists()


def test_the_inbox_keeps_htmx_from_adding_styles_the_csp_blocks(therapist_a, prompt_a):
    response = signed_in(therapist_a).get(reverse("notifications:inbox"))

    # style-src 'self' refuses htmx's inline indicator styles: a console error on every visit.
    assert "'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert """content='{"includeIndicatorStyles": false}'""" in response.content.decode()


def test_a_decided_card_names_the_note_for_the_patient_and_is_no_longer_counted(
    therapist_a, prompt_a
):
    client = signed_in(therapist_a)
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert 'id="prompts-count">1<' in inbox
    assert "data-open" in inbox  # what the page's script counts after a decision

    card = client.post(
        approve_url(prompt_a), {"note": "Well done: on to level 2"}, HTTP_HX_REQUEST="true"
    )

    html = card.content.decode()
    assert "Note for the patient: Well done: on to level 2" in html
    assert "Reason:" not in html
    assert "data-open" not in html


def test_a_declined_card_says_why_the_level_was_kept(therapist_a, prompt_a):
    url = reverse("notifications:decline", args=[prompt_a.public_id])
    card = signed_in(therapist_a).post(url, {"reason": "Form still shaky"}, HTTP_HX_REQUEST="true")

    assert "Why this level was kept: Form still shaky" in card.content.decode()
