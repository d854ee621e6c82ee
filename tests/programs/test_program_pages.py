import datetime as dt
import uuid
from decimal import Decimal
from html import escape

import pytest

from apps.audit.models import AuditEntry
from apps.exercises.models import EvidenceValue, Study
from apps.programs.models import Program, ProgramItem
from tests.conftest import signed_in
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
    StaffFactory,
    TemplateProgramFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
DOSE = {"sets": "3", "reps": "12", "hold_seconds": "", "per_side": "on", "rest_seconds": "45"}


def _evidence(exercise, muscle, value):
    study, _ = Study.objects.get_or_create(
        key="boren-2011", defaults={"short_name": "Boren 2011", "citation": "x", "is_primary": True}
    )
    return EvidenceValue.objects.create(
        exercise=exercise,
        study=study,
        muscle=muscle,
        mvic_percent=Decimal(value),
        confidence="corroborated",
    )


def test_program_list_shows_clinic_templates_and_recent_programs(therapist_a, patient_a, clinic_b):
    TemplateProgramFactory(clinic=therapist_a.clinic, name="Clinic starter")
    TemplateProgramFactory(clinic=clinic_b, name="Other clinic starter")
    ProgramFactory(patient=patient_a, name="Ann's hips")

    response = signed_in(therapist_a).get("/programs/")

    assert "Clinic starter" in response.text
    assert "Ann&#x27;s hips" in response.text
    assert "Other clinic starter" not in response.text


def test_new_program_for_a_patient_is_a_draft_built_from_a_template(therapist_a, patient_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    ExerciseItemFactory(program=template)

    response = signed_in(therapist_a).post(
        "/programs/new/",
        {"name": "Ann's plan", "template": template.public_id, "patient": patient_a.public_id},
    )

    program = Program.objects.get(patient=patient_a)
    assert response["Location"] == f"/programs/{program.public_id}/"
    assert not program.is_active
    assert program.items.count() == 1
    assert AuditEntry.objects.filter(action="create", patient=patient_a).exists()


def test_new_program_needs_a_name(therapist_a):
    response = signed_in(therapist_a).post("/programs/new/", {"name": ""})

    assert response.status_code == 400
    assert not Program.objects.exists()


def test_the_builder_shows_each_items_mvic_or_not_reported(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    side_lying = ExerciseFactory(name="Side-lying leg raise")
    _evidence(side_lying, "gluteus_medius", "63.0")
    ExerciseItemFactory(program=template, exercise=side_lying)

    response = signed_in(therapist_a).get(f"/programs/{template.public_id}/")

    assert "Side-lying leg raise" in response.text
    assert "63 %" in response.text  # one %MVIC format everywhere (issue 20)
    assert "63.0" not in response.text
    assert "not reported" in response.text


def test_the_builder_shows_a_ladders_exercise_at_its_level(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    ladder = LadderFactory(name="Clamshell")
    LadderItemFactory(program=template, ladder=ladder, current_level=2)

    response = signed_in(therapist_a).get(f"/programs/{template.public_id}/")

    assert "Clamshell L2" in response.text
    assert "level 2 of 4" in response.text


@pytest.mark.parametrize("count", [1, 10])
def test_the_builder_runs_a_fixed_number_of_queries(
    therapist_a, patient_a, django_assert_max_num_queries, count
):
    program = ProgramFactory(patient=patient_a)
    for _ in range(count):
        ExerciseItemFactory(program=program)
        LadderItemFactory(program=program)
    client = signed_in(therapist_a)

    # 22: the patient's hip precautions in force, read once for the items and the search, the
    # clinic's photos of the exercises (apps/media), the ladders already running for the
    # patient, read once for the items and the Add a ladder card (apps/programs/duplicates.py),
    # and the staff menu's count of what waits in the inbox.
    with django_assert_max_num_queries(22):
        response = client.get(f"/programs/{program.public_id}/")

    assert response.status_code == 200
    assert response.text.count('class="builder-item"') == 2 * count


def test_adding_an_exercise_with_htmx_returns_the_items_section(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    exercise = ExerciseFactory(name="Fire hydrant")

    response = signed_in(therapist_a).post(
        f"/programs/{template.public_id}/items/add-exercise/",
        {"exercise": exercise.public_id},
        **HTMX,
    )

    assert response.status_code == 200
    assert response.text.startswith('<section id="items"')
    assert "Added Fire hydrant." in response.text
    assert template.items.get().exercise == exercise


def test_adding_without_htmx_redirects_back_to_the_builder(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)

    response = signed_in(therapist_a).post(
        f"/programs/{template.public_id}/items/add-exercise/",
        {"exercise": ExerciseFactory().public_id},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/programs/{template.public_id}/#items"


def test_adding_another_clinics_exercise_or_ladder_is_a_400_naming_the_field(therapist_a, clinic_b):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    theirs = ExerciseFactory(name="Their squat", clinic=clinic_b)
    their_ladder = LadderFactory(name="Their ladder", levels=2, clinic=clinic_b)
    LadderFactory(name="Clamshell", levels=4)  # the shared library's: the ladder form shows
    client = signed_in(therapist_a)
    base = f"/programs/{template.public_id}/items"

    # The page is the therapist's own: what the form names is wrong, so the form says so.
    exercise = client.post(f"{base}/add-exercise/", {"exercise": theirs.public_id}, **HTMX)
    unknown = client.post(f"{base}/add-exercise/", {"exercise": uuid.uuid4()})
    ladder = client.post(f"{base}/add-ladder/", {"ladder": their_ladder.public_id, "level": "1"})

    assert exercise.status_code == unknown.status_code == ladder.status_code == 400
    assert escape("Choose an exercise from your clinic's library.") in exercise.text
    assert escape("Choose an exercise from your clinic's library.") in unknown.text
    assert escape("Choose a progression ladder from your clinic's library.") in ladder.text
    assert "Their squat" not in exercise.text
    assert not template.items.exists()


def test_a_ladder_refused_without_javascript_marks_the_ladder_field_and_ties_its_message(
    therapist_a, clinic_b
):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    LadderFactory(name="Clamshell", levels=4)  # the shared library's: the ladder form shows
    theirs = LadderFactory(name="Their ladder", levels=2, clinic=clinic_b)

    page = signed_in(therapist_a).post(
        f"/programs/{template.public_id}/items/add-ladder/",
        {"ladder": theirs.public_id, "level": "1"},
    )

    assert page.status_code == 400
    marked = 'aria-invalid="true" aria-describedby="id_ladder_error"'
    assert f'<select name="ladder" id="id_ladder" {marked}>' in page.text
    assert (
        '<div id="id_ladder_error"><p class="field-error" role="alert">'
        + escape("Choose a progression ladder from your clinic's library.")
    ) in page.text


def test_adding_a_ladder_at_a_missing_level_is_a_400_with_the_message(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    ladder = LadderFactory(name="Clamshell", levels=4)
    client = signed_in(therapist_a)
    data = {"ladder": ladder.public_id, "level": "7"}

    htmx = client.post(f"/programs/{template.public_id}/items/add-ladder/", data, **HTMX)
    plain = client.post(f"/programs/{template.public_id}/items/add-ladder/", data)

    assert htmx.status_code == plain.status_code == 400
    assert "Clamshell has no level 7" in htmx.text
    assert "Clamshell has no level 7" in plain.text
    assert not template.items.exists()


def test_a_dose_edit_keeps_history_and_a_bad_dose_is_a_400(therapist_a, patient_a):
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient_a))
    client = signed_in(therapist_a)
    url = f"/programs/{item.program.public_id}/items/{item.public_id}/"

    bad = client.post(url, DOSE | {"sets": "25"}, **HTMX)
    good = client.post(url, DOSE, **HTMX)

    assert bad.status_code == 400
    assert "Sets: Give a whole number from 1 to 20." in bad.text  # the status line names it
    assert "Ensure this value" not in bad.text
    assert good.status_code == 200
    old, new = ProgramItem.objects.order_by("pk")
    assert old.active_until is not None
    assert (new.track, new.sets, new.reps) == (old.track, 3, 12)
    assert AuditEntry.objects.filter(action="change", patient=patient_a).count() == 1


def test_reps_and_hold_together_is_a_400_from_the_service(therapist_a):
    item = ExerciseItemFactory(program=TemplateProgramFactory(clinic=therapist_a.clinic))
    url = f"/programs/{item.program.public_id}/items/{item.public_id}/"

    response = signed_in(therapist_a).post(url, DOSE | {"hold_seconds": "10"}, **HTMX)

    assert response.status_code == 400
    assert "Give reps or a hold time, not both." in response.text


def test_move_and_remove_items(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    first, second = (ExerciseItemFactory(program=template, position=n) for n in range(2))
    client = signed_in(therapist_a)
    base = f"/programs/{template.public_id}/items"

    client.post(f"{base}/{second.public_id}/move/", {"direction": "up"}, **HTMX)
    assert list(template.items.values_list("pk", flat=True)) == [second.pk, first.pk]

    client.post(f"{base}/{first.public_id}/remove/", **HTMX)
    assert list(template.items.values_list("pk", flat=True)) == [second.pk]


def test_search_finds_exercises_by_name(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    ExerciseFactory(name="Gluteal squeeze")
    ExerciseFactory(name="Pelvic drop")

    response = signed_in(therapist_a).get(
        f"/programs/{template.public_id}/exercises/?q=glute", **HTMX
    )

    assert "Gluteal squeeze" in response.text
    assert "Pelvic drop" not in response.text


def test_schedule_errors_are_a_400_and_valid_changes_save(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    client = signed_in(therapist_a)
    url = f"/programs/{program.public_id}/"
    start = {"save": "schedule", "start_date": program.start_date.isoformat()}
    before = (program.start_date - dt.timedelta(days=1)).isoformat()

    no_days = client.post(url, start)
    backwards = client.post(url, start | {"weekdays": ["0"], "end_date": before})
    saved = client.post(url, start | {"weekdays": ["0", "3"]})

    assert no_days.status_code == backwards.status_code == 400
    assert "Choose at least one weekday." in no_days.text
    assert "The end date cannot be before the start date." in backwards.text
    assert saved.status_code == 302
    program.refresh_from_db()
    assert program.weekday_numbers == [0, 3]


def test_the_schedule_form_sets_the_reminder_time_and_names_quiet_hours(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today())
    client = signed_in(therapist_a)
    url = f"/programs/{program.public_id}/"
    schedule = {
        "save": "schedule",
        "weekdays": ["0", "3"],
        "start_date": program.start_date.isoformat(),
    }

    quiet = client.post(url, schedule | {"reminder_time": "06:15"})
    saved = client.post(url, schedule | {"reminder_time": "17:45"})
    page = client.get(f"/programs/{program.public_id}/")

    assert quiet.status_code == 400
    assert "06:15 is inside the clinic&#x27;s quiet hours (21:00 to 08:00)" in quiet.text
    assert saved.status_code == 302
    program.refresh_from_db()
    assert (program.weekday_numbers, program.reminder_time) == ([0, 3], dt.time(17, 45))
    assert 'name="reminder_time" value="17:45"' in page.text


def test_assigning_a_template_copies_it_to_the_patient(therapist_a, patient_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic, name="Starter")
    ExerciseItemFactory(program=template)

    response = signed_in(therapist_a).post(
        f"/programs/{template.public_id}/", {"save": "assign", "patient": patient_a.public_id}
    )

    assert response["Location"] == f"/patients/{patient_a.public_id}/"
    program = patient_a.programs.get()
    assert (program.name, program.is_active, program.items.count()) == ("Starter", True, 1)


def test_a_therapist_cannot_assign_to_a_colleagues_patient(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    other = PatientFactory(therapist=StaffFactory(clinic=therapist_a.clinic))

    response = signed_in(therapist_a).post(
        f"/programs/{template.public_id}/", {"save": "assign", "patient": other.public_id}
    )

    assert response.status_code == 400
    assert not other.programs.exists()


def test_save_as_template_creates_a_clinic_template(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a)
    ExerciseItemFactory(program=program)

    response = signed_in(therapist_a).post(
        f"/programs/{program.public_id}/", {"save": "template", "name": "Hip basics"}
    )

    template = Program.objects.get(is_template=True)
    assert response["Location"] == f"/programs/{template.public_id}/"
    assert (template.name, template.items.count()) == ("Hip basics", 1)


def test_another_clinics_program_is_a_404_everywhere(therapist_a, patient_b):
    program = ProgramFactory(patient=patient_b)
    item = ExerciseItemFactory(program=program)
    template = TemplateProgramFactory(clinic=patient_b.clinic)
    client = signed_in(therapist_a)
    base = f"/programs/{program.public_id}"

    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"/programs/{template.public_id}/").status_code == 404
    assert client.post(f"{base}/items/{item.public_id}/", DOSE).status_code == 404
    assert client.post(f"{base}/items/{item.public_id}/remove/").status_code == 404
    assert client.post(f"{base}/", {"save": "schedule", "weekdays": ["1"]}).status_code == 404
    assert client.post(f"/programs/{template.public_id}/", {"save": "assign"}).status_code == 404


def test_a_colleagues_patient_program_is_a_404_for_a_therapist(therapist_a):
    program = ProgramFactory(
        patient=PatientFactory(therapist=StaffFactory(clinic=therapist_a.clinic))
    )

    assert signed_in(therapist_a).get(f"/programs/{program.public_id}/").status_code == 404


def test_a_patient_cannot_reach_program_pages(patient_a):
    program = ProgramFactory(patient=patient_a)
    client = signed_in(patient_a.user)

    assert client.get("/programs/").status_code == 403
    assert client.get(f"/programs/{program.public_id}/").status_code == 403
    assert client.post("/programs/new/", {"name": "x"}).status_code == 403


def test_new_weekdays_for_a_started_program_open_its_continuation(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a)
    start = program.start_date.isoformat()

    response = signed_in(therapist_a).post(
        f"/programs/{program.public_id}/",
        {"save": "schedule", "weekdays": ["1"], "start_date": start},
    )

    follow_on = patient_a.programs.exclude(pk=program.pk).get()
    assert response["Location"] == f"/programs/{follow_on.public_id}/"
    assert follow_on.weekday_numbers == [1]


def test_the_builder_shows_an_exercises_cautions_in_search_and_in_the_program(therapist_a):
    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    caution = "Not after a hip replacement, or with pain turning the hip inward."
    wiper = ExerciseFactory(name="Windshield wiper", cautions=caution)
    ExerciseFactory(name="Bridge", cautions="")
    client = signed_in(therapist_a)

    found = client.get(f"/programs/{template.public_id}/exercises/", {"q": "wiper"}, **HTMX)
    ExerciseItemFactory(program=template, exercise=wiper)
    builder = client.get(f"/programs/{template.public_id}/")

    # What the patient will be told to take care of is in front of the therapist who picks it.
    assert f"<strong>Cautions:</strong> {escape(caution)}" in found.text
    items = builder.text.split('<section id="items"', 1)[1].split("</section>", 1)[0]
    assert escape(caution) in items
    assert items.count('class="caution exercise-cautions"') == 1


def test_the_builder_marks_a_less_certain_mvic_value_with_its_note(therapist_a):
    from apps.exercises.models import Confidence

    template = TemplateProgramFactory(clinic=therapist_a.clinic)
    exercise = ExerciseFactory(name="Side plank")
    _evidence(exercise, "gluteus_medius", "74")  # corroborated: no marker
    unsure = _evidence(exercise, "gluteus_maximus", "71")
    unsure.confidence, unsure.note = Confidence.SINGLE_SOURCE, "one review table only"
    unsure.save()
    ExerciseItemFactory(program=template, exercise=exercise)
    client = signed_in(therapist_a)

    found = client.get(f"/programs/{template.public_id}/exercises/", {"q": "plank"}, **HTMX)
    builder = client.get(f"/programs/{template.public_id}/")
    items = builder.text.split('<section id="items"', 1)[1].split("</section>", 1)[0]

    # CLINICAL.md: a value from one source is shown as less certain, with its note.
    for html in (found.text, items):
        assert html.count('class="badge warn less-certain"') == 1
        assert 'title="Less certain: single source. one review table only">single source<' in html
