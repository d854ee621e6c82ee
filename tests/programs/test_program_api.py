import datetime as dt

import pytest

from apps.audit.models import AuditEntry
from apps.programs.models import Program, ProgramItem
from tests.conftest import signed_in
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    PatientFactory,
    ProgramFactory,
    StaffFactory,
    TemplateProgramFactory,
)

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}


def test_create_a_template_with_items(therapist_a):
    squeeze = ExerciseFactory(name="Gluteal squeeze", default_reps=None, default_hold_seconds=5)
    ladder = LadderFactory(name="Clamshell")
    body = {
        "name": "Starter",
        "weekdays": ["mon", "wed", "fri"],
        "items": [
            {"ladder": str(ladder.public_id), "level": 1},
            {"exercise": str(squeeze.public_id), "sets": 5},
        ],
    }

    response = signed_in(therapist_a).post("/api/v1/programs/create/", body, **JSON)

    data = response.json()
    assert response.status_code == 201
    assert (data["is_template"], data["patient"], data["weekdays"]) == (
        True,
        None,
        ["mon", "wed", "fri"],
    )
    assert [item["exercise"]["name"] for item in data["items"]] == [
        "Clamshell L1",
        "Gluteal squeeze",
    ]
    assert (data["items"][1]["sets"], data["items"][1]["hold_seconds"]) == (5, 5)
    assert data["items"][0]["gluteus_medius_mvic"] is None


def test_create_for_a_patient_assigns_it_and_audits(therapist_a, patient_a):
    body = {
        "name": "Ann",
        "patient": str(patient_a.public_id),
        "items": [{"exercise": str(ExerciseFactory().public_id)}],
    }

    response = signed_in(therapist_a).post("/api/v1/programs/create/", body, **JSON)

    program = Program.objects.get()
    assert response.status_code == 201
    assert (program.patient, program.is_active, program.start_date) == (
        patient_a,
        True,
        patient_a.local_today(),
    )
    assert AuditEntry.objects.filter(action="create", patient=patient_a).exists()


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"sets": 21}, "items.0.sets"),
        ({"reps": 0}, "items.0.reps"),
        ({"reps": None, "hold_seconds": 700}, "items.0.hold_seconds"),
    ],
)
def test_create_with_a_bad_dose_is_a_400_and_saves_nothing(therapist_a, item, field):
    body = {"name": "Bad", "items": [{"exercise": str(ExerciseFactory().public_id)} | item]}

    response = signed_in(therapist_a).post("/api/v1/programs/create/", body, **JSON)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Program.objects.exists()


def test_an_items_error_has_one_name_whichever_check_refuses_it(therapist_a):
    """The input's checks (a type) and the service's (a dose, an exercise not in the library)
    name an item's field alike, as the API's error format names every nested field."""
    exercise = str(ExerciseFactory().public_id)
    client = signed_in(therapist_a)

    def errors(item: dict[str, object]) -> set[str]:
        body = {"name": "x", "items": [{"exercise": exercise}, item]}
        return set(client.post("/api/v1/programs/create/", body, **JSON).json()["errors"])

    assert errors({"exercise": exercise, "sets": "many"}) == {"items.1.sets"}
    assert errors({"exercise": exercise, "sets": 21}) == {"items.1.sets"}
    assert errors({"exercise": "6d1c7c39-6c1e-4a7e-9b9e-2d4f0f2a8b11"}) == {"items.1.exercise"}
    assert not Program.objects.exists()


def test_create_with_a_missing_ladder_level_or_no_weekdays_is_a_400(therapist_a):
    ladder = LadderFactory(name="Clamshell", levels=4)
    client = signed_in(therapist_a)

    level = client.post(
        "/api/v1/programs/create/",
        {"name": "x", "items": [{"ladder": str(ladder.public_id), "level": 9}]},
        **JSON,
    )
    days = client.post("/api/v1/programs/create/", {"name": "x", "weekdays": []}, **JSON)

    assert level.json()["errors"] == {
        "items.0.level": ["Clamshell has no level 9; choose a level from 1 to 4."]
    }
    assert days.json()["errors"] == {"weekdays": ["Choose at least one weekday."]}
    assert not Program.objects.exists()


def test_an_item_edit_keeps_history(therapist_a, patient_a):
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a))
    url = f"/api/v1/programs/{item.program.public_id}/items/{item.public_id}/update/"

    response = signed_in(therapist_a).patch(url, {"sets": 4}, **JSON)

    assert response.status_code == 200
    old, new = ProgramItem.objects.order_by("pk")
    assert old.active_until == patient_a.local_today() - dt.timedelta(days=1)
    assert (new.track, new.sets, new.reps) == (old.track, 4, old.reps)
    assert response.json()["items"][0]["id"] == str(new.public_id)


def test_an_item_edit_with_reps_and_hold_is_a_400(therapist_a, patient_a):
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a))
    url = f"/api/v1/programs/{item.program.public_id}/items/{item.public_id}/update/"

    response = signed_in(therapist_a).patch(url, {"hold_seconds": 10}, **JSON)

    assert response.status_code == 400
    assert response.json()["errors"] == {"hold_seconds": ["Give reps or a hold time, not both."]}


def test_add_remove_and_reorder_items(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    first = ExerciseItemFactory(program=template, position=0)
    client = signed_in(therapist_a)
    base = f"/api/v1/programs/{template.public_id}"

    added = client.post(
        f"{base}/items/create/", {"exercise": str(ExerciseFactory().public_id)}, **JSON
    )
    second = template.items.get(position=1)
    reordered = client.post(
        f"{base}/items/reorder/", {"items": [str(second.public_id), str(first.public_id)]}, **JSON
    )
    removed = client.post(f"{base}/items/{first.public_id}/remove/", **JSON)

    assert (added.status_code, reordered.status_code, removed.status_code) == (201, 200, 200)
    assert [item["id"] for item in removed.json()["items"]] == [str(second.public_id)]


def test_update_schedule_and_name(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())

    response = signed_in(therapist_a).patch(
        f"/api/v1/programs/{program.public_id}/update/",
        {"name": "Renamed", "weekdays": ["tue"]},
        **JSON,
    )

    program.refresh_from_db()
    assert response.status_code == 200
    assert (program.name, program.weekday_numbers) == ("Renamed", [1])


def test_update_with_end_before_start_is_a_400_and_changes_nothing(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    end = (program.start_date - dt.timedelta(days=2)).isoformat()

    response = signed_in(therapist_a).patch(
        f"/api/v1/programs/{program.public_id}/update/",
        {"name": "Renamed", "end_date": end},
        **JSON,
    )

    program.refresh_from_db()
    assert response.status_code == 400
    assert "end_date" in response.json()["errors"]
    assert program.name == "Hip program"


def test_the_reminder_time_is_set_kept_when_left_out_and_refused_in_quiet_hours(
    therapist_a, patient_a
):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{program.public_id}/update/"

    set_it = client.patch(url, {"reminder_time": "08:30"}, **JSON)
    left_out = client.patch(url, {"name": "Renamed"}, **JSON)
    quiet = client.patch(url, {"name": "Again", "reminder_time": "23:00"}, **JSON)
    garbled = client.patch(url, {"reminder_time": "half past eight"}, **JSON)

    assert (set_it.status_code, set_it.json()["reminder_time"]) == (200, "08:30:00")
    assert (left_out.status_code, left_out.json()["reminder_time"]) == (200, "08:30:00")
    assert quiet.status_code == garbled.status_code == 400
    assert quiet.json()["errors"] == {
        "reminder_time": [
            "23:00 is inside the clinic's quiet hours (21:00 to 08:00): no reminder would ever "
            "be sent. Choose a time outside them."
        ]
    }
    assert "reminder_time" in garbled.json()["errors"]
    program.refresh_from_db()
    assert (program.name, program.reminder_time) == ("Renamed", dt.time(8, 30))
    cleared = client.patch(url, {"reminder_time": None}, **JSON)
    assert (cleared.status_code, cleared.json()["reminder_time"]) == (200, None)


def test_a_time_quiet_hours_grew_over_does_not_block_a_change_of_weekdays(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    client = signed_in(therapist_a)
    url = f"/api/v1/programs/{program.public_id}/update/"
    assert client.patch(url, {"reminder_time": "20:30"}, **JSON).status_code == 200
    clinic = therapist_a.clinic
    clinic.quiet_hours_start = dt.time(20, 0)  # widened after the time was chosen
    clinic.save(update_fields=["quiet_hours_start"])

    weekdays = client.patch(url, {"weekdays": ["mon", "wed", "fri"]}, **JSON)
    moved_in = client.patch(url, {"reminder_time": "20:45"}, **JSON)

    assert weekdays.status_code == 200, weekdays.json()
    assert weekdays.json()["reminder_time"] == "20:30:00"
    assert moved_in.status_code == 400


def test_assign_a_template_copies_it(therapist_a, patient_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    ExerciseItemFactory(program=template)

    response = signed_in(therapist_a).post(
        f"/api/v1/programs/{template.public_id}/assign/",
        {"patient": str(patient_a.public_id)},
        **JSON,
    )

    assert response.status_code == 201
    assert response.json()["patient"] == str(patient_a.public_id)
    assert patient_a.programs.get().items.count() == 1


def test_assign_to_a_colleagues_patient_is_a_400(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    other = PatientFactory(therapist=StaffFactory(clinic=therapist_a.clinic))

    response = signed_in(therapist_a).post(
        f"/api/v1/programs/{template.public_id}/assign/", {"patient": str(other.public_id)}, **JSON
    )

    assert response.status_code == 400
    assert not other.programs.exists()


def test_list_filters_and_runs_a_fixed_number_of_queries(
    therapist_a, patient_a, django_assert_max_num_queries
):
    TemplateProgramFactory.create_batch(3, clinic=therapist_a.clinic)
    ProgramFactory.create_batch(3, patient=patient_a)
    client = signed_in(therapist_a)

    with django_assert_max_num_queries(8):
        templates = client.get("/api/v1/programs/?kind=template").json()
    mine = client.get(f"/api/v1/programs/?patient={patient_a.public_id}").json()

    assert templates["count"] == 3
    assert {row["patient"] for row in mine["results"]} == {str(patient_a.public_id)}


@pytest.mark.parametrize("count", [1, 8])
def test_detail_runs_a_fixed_number_of_queries(
    therapist_a, patient_a, django_assert_max_num_queries, count
):
    program = ProgramFactory(patient=patient_a)
    ExerciseItemFactory.create_batch(count, program=program)
    client = signed_in(therapist_a)

    # 15: + the patient's hip precautions in force (each item says what it conflicts with),
    # + the ladders and exercises running for the patient (a single exercise may be a level of
    # a ladder running elsewhere: each item says what it shares; apps/programs/duplicates.py).
    with django_assert_max_num_queries(15):
        response = client.get(f"/api/v1/programs/{program.public_id}/")

    assert len(response.json()["items"]) == count


def test_another_clinics_program_is_a_404(therapist_a, patient_b):
    program = ProgramFactory(patient=patient_b)
    item = ExerciseItemFactory(program=program)
    client = signed_in(therapist_a)
    base = f"/api/v1/programs/{program.public_id}"

    assert client.get(f"{base}/").status_code == 404
    assert client.patch(f"{base}/update/", {"name": "x"}, **JSON).status_code == 404
    assert (
        client.post(f"{base}/assign/", {"patient": str(patient_b.public_id)}, **JSON).status_code
        == 404
    )
    assert (
        client.patch(f"{base}/items/{item.public_id}/update/", {"sets": 3}, **JSON).status_code
        == 404
    )
    assert client.get("/api/v1/programs/").json()["count"] == 0


def test_a_colleagues_patient_program_is_readable_but_not_editable(therapist_a):
    program = ProgramFactory(
        patient=PatientFactory(therapist=StaffFactory(clinic=therapist_a.clinic))
    )
    client = signed_in(therapist_a)

    assert client.get(f"/api/v1/programs/{program.public_id}/").status_code == 200
    assert (
        client.patch(
            f"/api/v1/programs/{program.public_id}/update/", {"name": "x"}, **JSON
        ).status_code
        == 404
    )


def test_a_patient_is_refused(patient_a):
    program = ProgramFactory(patient=patient_a)

    assert (
        signed_in(patient_a.user).get(f"/api/v1/programs/{program.public_id}/").status_code == 403
    )
