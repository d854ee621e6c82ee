"""Hip precautions on the patient record: the approach mapping, the end date, bad input, and
the staff page and API that set, change and end them."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from apps.audit.models import AuditEntry
from apps.core.hip import HipMovement
from apps.patients.models import HipPrecaution, PrecautionKind
from apps.patients.precautions import precaution_end, precaution_set, precaution_update
from apps.patients.selectors import precautions_in_force
from tests.conftest import signed_in
from tests.factories import PatientFactory

JSON = {"content_type": "application/json"}
START = date(2026, 3, 2)
END = date(2026, 4, 13)  # six weeks later


def _set(patient, actor, **values):
    fields = {"kind": "posterior", "starts_on": START, "ends_on": END} | values
    return precaution_set(actor=actor, patient=patient, **fields)


def test_the_posterior_approach_rules_out_deep_flexion_crossing_the_midline_and_turning_in(
    patient_a, therapist_a
):
    precaution = _set(patient_a, therapist_a)
    assert set(precaution.rules) == {
        frozenset({HipMovement.FLEXION_BEYOND_90}),
        frozenset({HipMovement.ADDUCTION_PAST_MIDLINE}),
        frozenset({HipMovement.INTERNAL_ROTATION}),
    }


def test_the_anterior_approach_rules_out_extension_only_combined_with_external_rotation(
    patient_a, therapist_a
):
    precaution = _set(patient_a, therapist_a, kind="anterior")
    assert precaution.rules == (frozenset({HipMovement.EXTENSION, HipMovement.EXTERNAL_ROTATION}),)
    assert precaution.rules_text == "no extension combined with external rotation"


def test_custom_precautions_rule_out_each_chosen_movement(patient_a, therapist_a):
    precaution = _set(
        patient_a, therapist_a, kind="custom",
        movements=["single_leg_weight_bearing", "extension"],
    )  # fmt: skip
    assert precaution.movements == ["extension", "single_leg_weight_bearing"]
    assert set(precaution.rules) == {
        frozenset({"extension"}),
        frozenset({"single_leg_weight_bearing"}),
    }


def test_precautions_end_by_themselves_on_their_end_date(patient_a, therapist_a):
    _set(patient_a, therapist_a)
    assert precautions_in_force(patient=patient_a, on=START - timedelta(days=1)) == []
    assert len(precautions_in_force(patient=patient_a, on=START)) == 1
    assert len(precautions_in_force(patient=patient_a, on=END - timedelta(days=1))) == 1
    assert precautions_in_force(patient=patient_a, on=END) == []


def test_ending_early_lifts_them_from_the_patients_today_and_is_audited(patient_a, therapist_a):
    precaution = _set(patient_a, therapist_a)
    ended_day = START + timedelta(days=10)
    # 23:30 in London on the tenth day is already the eleventh in Auckland.
    patient_a.time_zone = "Pacific/Auckland"
    patient_a.save(update_fields=["time_zone"])
    with time_machine.travel(datetime(2026, 3, 12, 23, 30, tzinfo=UTC), tick=False):
        precaution_end(actor=therapist_a, precaution=precaution)
    auckland_today = ended_day + timedelta(days=1)
    assert precautions_in_force(patient=patient_a, on=auckland_today) == []
    assert precautions_in_force(patient=patient_a, on=END - timedelta(days=1)) == []
    precaution.refresh_from_db()
    assert precaution.ends_on == auckland_today
    assert AuditEntry.objects.filter(detail="hip precautions ended early").count() == 1


def test_ending_early_keeps_the_days_before_as_they_were_done(patient_a, therapist_a):
    """History must not change after the fact: the days already done stay under the
    precautions they were done under (what they prescribed, their adherence)."""
    precaution = _set(patient_a, therapist_a)
    with time_machine.travel(datetime(2026, 3, 12, 9, 0, tzinfo=UTC), tick=False):
        precaution_end(actor=therapist_a, precaution=precaution)
    for day in (START, START + timedelta(days=9)):
        assert precautions_in_force(patient=patient_a, on=day) == [precaution]
        assert HipPrecaution.objects.get().is_in_force(day)
    assert not HipPrecaution.objects.get().is_in_force(START + timedelta(days=10))


def test_precautions_ended_before_they_started_never_apply(patient_a, therapist_a):
    precaution = _set(patient_a, therapist_a)  # set ahead of the operation, then called off
    with time_machine.travel(datetime(2026, 2, 20, 9, 0, tzinfo=UTC), tick=False):
        precaution_end(actor=therapist_a, precaution=precaution)
    precaution.refresh_from_db()
    assert precaution.ends_on == START
    assert precautions_in_force(patient=patient_a, on=START) == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"ends_on": START - timedelta(days=1)}, "ends_on"),
        ({"ends_on": START}, "ends_on"),
        ({"kind": "custom", "movements": []}, "movements"),
        ({"kind": "custom", "movements": ["somersault"]}, "movements"),
        ({"kind": "lateral"}, "kind"),
        ({"ends_on": None}, "ends_on"),
    ],
)
def test_bad_precautions_are_refused_and_nothing_is_saved(patient_a, therapist_a, values, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        _set(patient_a, therapist_a, **values)
    assert field in caught.value.message_dict
    assert not HipPrecaution.objects.exists()
    assert not AuditEntry.objects.filter(target_type="patients.HipPrecaution").exists()


def test_the_audit_log_records_each_change_without_describing_the_precautions(
    patient_a, therapist_a
):
    precaution = _set(patient_a, therapist_a, note="Posterior approach, left hip")
    precaution_update(
        actor=therapist_a, precaution=precaution, kind="anterior", starts_on=START, ends_on=END
    )
    entries = AuditEntry.objects.filter(target_type="patients.HipPrecaution").order_by("sequence")
    # The approach, the dates and the note are health data; the trail outlives an erasure.
    assert [e.detail for e in entries] == ["hip precautions set", "hip precautions changed"]


def test_a_change_is_validated_like_a_new_one(patient_a, therapist_a):
    from django.core.exceptions import ValidationError

    precaution = _set(patient_a, therapist_a)
    with pytest.raises(ValidationError):
        precaution_update(
            actor=therapist_a, precaution=precaution, kind="posterior", starts_on=START,
            ends_on=START - timedelta(days=3),
        )  # fmt: skip
    precaution.refresh_from_db()
    assert precaution.ends_on == END


# --- The staff page ------------------------------------------------------------------------


@time_machine.travel("2026-03-10 09:00Z", tick=False)
def test_the_patient_page_sets_shows_and_ends_precautions(patient_a, therapist_a):
    client = signed_in(therapist_a)
    url = f"/patients/{patient_a.public_id}/"
    response = client.post(
        url,
        {"change": "set-precautions", "precaution-kind": "posterior",
         "precaution-starts_on": "2026-03-02", "precaution-ends_on": "2026-04-13",
         "precaution-note": "Mr Smith's letter"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(url).text
    assert "Posterior (posterolateral) approach" in page
    assert "no flexion beyond 90°; no adduction across the midline; no internal rotation" in page
    assert "In force" in page
    precaution = HipPrecaution.objects.get()
    ending = {"change": "end-precautions", "precaution": precaution.public_id}
    assert client.post(url, ending).status_code == 302
    assert "Ended early" in client.get(url).text


def test_the_new_precautions_form_chooses_no_approach(patient_a, therapist_a):
    """Never assumed (CLINICAL.md): the therapist picks the surgeon's approach."""
    page = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/").text

    kinds = re.findall(r'<input type="radio" name="precaution-kind"[^>]*>', page)
    assert len(kinds) == 3
    assert not [tag for tag in kinds if "checked" in tag]


@time_machine.travel("2026-03-10 09:00Z", tick=False)
def test_the_page_shows_a_form_error_for_an_end_before_the_start(patient_a, therapist_a):
    response = signed_in(therapist_a).post(
        f"/patients/{patient_a.public_id}/",
        {"change": "set-precautions", "precaution-kind": "custom",
         "precaution-starts_on": "2026-03-02", "precaution-ends_on": "2026-03-01"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "The day they lift must be after the day they start." in response.text
    assert "Choose at least one movement the patient must avoid." in response.text
    assert not HipPrecaution.objects.exists()


@time_machine.travel("2026-03-10 09:00Z", tick=False)
def test_the_edit_page_changes_the_end_date(patient_a, therapist_a):
    precaution = _set(patient_a, therapist_a)
    url = f"/patients/{patient_a.public_id}/precautions/{precaution.public_id}/edit/"
    client = signed_in(therapist_a)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"precaution-kind": "posterior", "precaution-starts_on": "2026-03-02",
              "precaution-ends_on": "2026-05-25"},
    )  # fmt: skip
    assert response.status_code == 302
    precaution.refresh_from_db()
    assert precaution.ends_on == date(2026, 5, 25)


def test_a_colleagues_patient_cannot_be_given_precautions(therapist_a):
    colleague = PatientFactory(therapist__clinic=therapist_a.clinic)
    response = signed_in(therapist_a).post(
        f"/patients/{colleague.public_id}/",
        {"change": "set-precautions", "precaution-kind": "posterior",
         "precaution-starts_on": "2026-03-02", "precaution-ends_on": "2026-04-13"},
    )  # fmt: skip
    assert response.status_code == 404


# --- The API -------------------------------------------------------------------------------


@time_machine.travel("2026-03-10 09:00Z", tick=False)
def test_the_api_sets_lists_changes_and_ends_precautions(patient_a, therapist_a):
    client = signed_in(therapist_a)
    base = f"/api/v1/patients/{patient_a.public_id}/precautions/"
    created = client.post(
        f"{base}create/",
        {"kind": "anterior", "starts_on": "2026-03-02", "ends_on": "2026-04-13"}, **JSON,
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["in_force"] is True
    assert body["rules"] == "no extension combined with external rotation"
    listed = client.get(base).json()
    assert [row["id"] for row in listed] == [body["id"]]
    changed = client.patch(f"{base}{body['id']}/update/", {"ends_on": "2026-05-01"}, **JSON)
    assert changed.json()["ends_on"] == "2026-05-01"
    ended = client.post(f"{base}{body['id']}/end/")
    assert ended.json()["in_force"] is False
    assert client.post(f"{base}{body['id']}/end/").status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "posterior", "starts_on": "2026-03-02", "ends_on": "2026-03-01"},
        {"kind": "custom", "starts_on": "2026-03-02", "ends_on": "2026-04-13"},
        {
            "kind": "custom",
            "movements": ["cartwheel"],
            "starts_on": "2026-03-02",
            "ends_on": "2026-04-13",
        },
        {"kind": "posterior", "starts_on": "2026-03-02"},
    ],
)
def test_the_api_refuses_bad_precautions_with_a_400(patient_a, therapist_a, body):
    response = signed_in(therapist_a).post(
        f"/api/v1/patients/{patient_a.public_id}/precautions/create/", body, **JSON
    )
    assert response.status_code == 400
    assert not HipPrecaution.objects.exists()


def test_precaution_kinds_match_the_clinical_notes():
    assert set(PrecautionKind.values) == {"posterior", "anterior", "custom"}


def test_the_migration_gives_precautions_ended_earlier_the_end_date_of_that_day(
    patient_a, therapist_a
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "apps.patients.migrations.0006_precautions_ended_early_keep_their_past"
    )
    ended = _set(patient_a, therapist_a)
    running = _set(patient_a, therapist_a, starts_on=START + timedelta(days=1))
    # Ended the old way: only the time stamp, the end date left as set.
    HipPrecaution.objects.filter(pk=ended.pk).update(
        ended_at=datetime(2026, 3, 20, 23, 30, tzinfo=UTC)  # the 20th in London
    )

    migration.move_end_dates(apps, None)

    assert HipPrecaution.objects.get(pk=ended.pk).ends_on == date(2026, 3, 20)
    assert HipPrecaution.objects.get(pk=running.pk).ends_on == END


def test_ending_precautions_or_changing_the_link_asks_once_more(patient_a, therapist_a):
    today = patient_a.local_today()
    _set(patient_a, therapist_a, starts_on=today, ends_on=today + timedelta(weeks=6))
    page = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/").content.decode()

    for label, confirm in [
        ("End now", "Yes, end them today"),
        ("Renew link", "Yes, renew the link"),
        ("Revoke link", "Yes, revoke the link"),
    ]:
        assert f'<summary class="button danger">{label}' in page
        assert f"{confirm}</button>" in page
