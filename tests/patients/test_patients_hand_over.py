"""A clinic admin hands all of a colleague's active patients to another active colleague of
the clinic in one step: one transaction, one audit entry per patient (as a single hand-over
on the patient's Edit page writes), nothing more on a second submit, and a 400 with a message
for a colleague who cannot take them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import Action, AuditEntry
from apps.clinics.models import User
from apps.patients import handover
from apps.patients.models import Patient
from tests.conftest import signed_in
from tests.factories import PatientFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(clinic_a) -> User:
    person: User = StaffFactory(clinic=clinic_a, full_name="Dana Hill")
    return person


@pytest.fixture
def sam(clinic_a) -> User:
    person: User = StaffFactory(clinic=clinic_a, full_name="Sam Lee")
    return person


@pytest.fixture
def danas(dana) -> list[Patient]:
    return [PatientFactory(therapist=dana, full_name=name) for name in ("Ann", "Ben", "Cal")]


def url(person: User) -> str:
    return f"/patients/hand-over/{person.public_id}/"


def hand_over(client, source: User, target: User | str):
    to = target if isinstance(target, str) else str(target.public_id)
    return client.post(url(source), {"to": to})


def therapist_ids(patients: list[Patient]) -> set[int]:
    return set(
        Patient.objects.filter(pk__in=[p.pk for p in patients]).values_list(
            "therapist_id", flat=True
        )
    )


def entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=Action.CHANGE, patient__isnull=False))


def test_all_their_active_patients_go_to_the_colleague_each_audited(
    admin_a, dana, sam, danas, therapist_a
):
    archived = PatientFactory(therapist=dana, archived_at=timezone.now())
    others = PatientFactory(therapist=therapist_a)
    client = signed_in(admin_a)

    response = hand_over(client, dana, sam)

    assert response.status_code == 302
    assert therapist_ids(danas) == {sam.pk}
    assert therapist_ids([archived]) == {dana.pk}  # archived: handed over when restored
    assert therapist_ids([others]) == {therapist_a.pk}
    found = entries()
    assert sorted(e.patient_id for e in found) == sorted(p.pk for p in danas)
    assert {(e.actor_id, e.clinic_id, e.target_type) for e in found} == {
        (admin_a.pk, admin_a.clinic_id, "patients.Patient")
    }
    assert {e.detail for e in found} == {"therapist Dana Hill → Sam Lee (all their patients)"}
    assert all(e.ip_address for e in found)
    done = client.get(response.url).content.decode()
    assert "3 patients of Dana Hill now looked after by Sam Lee" in done
    # Nothing holds the deactivation back any more.
    client.post("/clinic/staff/", {"colleague": dana.public_id, "change": "deactivate"})
    dana.refresh_from_db()
    assert not dana.is_active


def test_a_second_submit_moves_and_records_nothing_more(admin_a, dana, sam, danas):
    client = signed_in(admin_a)
    hand_over(client, dana, sam)

    again = hand_over(client, dana, sam)

    assert again.status_code == 302
    assert len(entries()) == 3
    assert "Dana Hill has no active patients left to hand over" in client.get(again.url).text


@pytest.mark.parametrize("who", ["other clinic", "deactivated", "themselves", "patient", "junk"])
def test_someone_who_cannot_take_them_is_a_400_that_moves_nothing(
    admin_a, dana, danas, therapist_b, clinic_a, who
):
    target = {
        "other clinic": lambda: str(therapist_b.public_id),
        "deactivated": lambda: str(StaffFactory(clinic=clinic_a, is_active=False).public_id),
        "themselves": lambda: str(dana.public_id),
        "patient": lambda: str(danas[0].user.public_id),
        "junk": lambda: "not-an-id",
    }[who]()

    response = hand_over(signed_in(admin_a), dana, target)

    assert response.status_code == 400
    assert "Choose an active colleague of your clinic, other than Dana Hill." in response.text
    assert therapist_ids(danas) == {dana.pk}
    assert entries() == []


def test_no_colleague_chosen_is_a_400(admin_a, dana, danas):
    response = signed_in(admin_a).post(url(dana), {})

    assert response.status_code == 400
    assert "Choose who looks after them from now." in response.text


def test_a_colleague_deactivated_after_the_form_was_checked_is_refused_by_the_service(
    admin_a, dana, sam, danas
):
    User.objects.filter(pk=sam.pk).update(is_active=False)

    with pytest.raises(ValidationError, match="Choose an active colleague of your clinic"):
        handover.patients_hand_over(actor=admin_a, source=dana, target=sam)

    assert therapist_ids(danas) == {dana.pk}


def test_it_is_one_transaction(admin_a, dana, sam, danas, monkeypatch):
    def audit_fails(**kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(handover, "audit_record_many", audit_fails)

    with pytest.raises(RuntimeError):
        handover.patients_hand_over(actor=admin_a, source=dana, target=sam)

    assert therapist_ids(danas) == {dana.pk}


def test_the_page_names_their_patients_and_offers_the_clinics_active_colleagues(
    admin_a, dana, sam, danas, therapist_b, clinic_a
):
    StaffFactory(clinic=clinic_a, full_name="Gone Away", is_active=False)

    page = signed_in(admin_a).get(url(dana))

    assert page.status_code == 200
    body = page.content.decode()
    assert "Dana Hill looks after 3 active patients: Ann, Ben and Cal." in body
    assert f'<option value="{sam.public_id}">Sam Lee</option>' in body
    for name in ("Gone Away", str(therapist_b.public_id), f'value="{dana.public_id}"'):
        assert name not in body


def test_the_staff_page_links_to_it_for_someone_with_patients(admin_a, dana, sam, danas):
    client = signed_in(admin_a)

    page = client.get("/clinic/staff/").content.decode()
    refused = client.post(
        "/clinic/staff/", {"colleague": dana.public_id, "change": "deactivate"}
    ).text

    row = page[page.index("Dana Hill") :]
    assert f'href="{url(dana)}"' in row[: row.index("</tr>")]
    row = page[page.index("Sam Lee") :]
    assert "hand-over" not in row[: row.index("</tr>")]
    assert f'href="{url(dana)}"' in refused


def test_another_clinics_colleague_is_a_404(admin_b, dana, therapist_b, danas):
    client = signed_in(admin_b)

    assert client.get(url(dana)).status_code == 404
    assert hand_over(client, dana, therapist_b).status_code == 404
    assert therapist_ids(danas) == {dana.pk}


def test_a_therapist_gets_a_403(therapist_a, dana, danas):
    client = signed_in(therapist_a)

    assert client.get(url(dana)).status_code == 403
    assert hand_over(client, dana, therapist_a).status_code == 403
    assert therapist_ids(danas) == {dana.pk}
