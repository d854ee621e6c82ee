"""Starter programs from the evidence (issue 20): read-only, for every clinic, copyable into
a clinic's templates and assignable like any other. Each fact below is from the clinical
notes the exercise library was built from."""

import pytest

from apps.exercises.loading import DATA_DIR, library_load
from apps.exercises.models import EvidenceValue
from apps.programs.models import Program
from apps.programs.starters import all_starters, load_starters, starter_by_key
from tests.conftest import signed_in
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _item(starter_key, key):
    return next(i for i in starter_by_key(starter_key).items if key in (i.exercise, i.ladder))


def test_the_five_starters_ship_with_the_code():
    assert [s.name for s in all_starters()] == [
        "Clamshell progression (Boren 2011)",
        "Reverse clamshell",
        "Gluteus medius by evidence",
        "Hip rotation strength",
        "Pelvic rotation",
    ]
    for starter in all_starters():
        assert starter.source, starter.key
        assert all(item.source and item.dose_text for item in starter.items), starter.key


def test_every_key_is_in_the_shared_library_data():
    import tomllib

    library = tomllib.loads((DATA_DIR / "library.toml").read_text())
    exercises = {e["key"] for e in library["exercises"]}
    ladders = {ladder["key"] for ladder in library["ladders"]}
    for starter in load_starters():
        for item in starter.items:
            assert (item.exercise in exercises) if item.exercise else (item.ladder in ladders)


def test_the_clamshell_starter_is_the_ladder_from_level_1_both_sides_with_the_20_rep_rule():
    item = _item("clamshell-progression", "clamshell-boren-2011")

    assert (item.level, item.per_side, item.sets, item.reps) == (1, True, 2, 10)
    assert (item.reps_up_to, item.advance_at_reps) == (20, 20)


def test_the_reverse_clamshell_starts_from_the_windshield_wiper_hold_and_warns():
    starter = starter_by_key("reverse-clamshell")
    item = _item("reverse-clamshell", "reverse-clamshell")

    assert (item.level, item.hold_seconds, item.hold_up_to, item.per_side) == (1, 20, 30, True)
    assert "hip replacement" in starter.caution


def test_the_hip_rotation_doses_are_the_evidence_ranges():
    doses = {
        key: (i.reps, i.reps_up_to, i.sets, i.sets_up_to, i.rest_seconds, i.rest_up_to)
        for key in (
            "single-leg-rdl-reach",
            "squat-with-rotation",
            "fire-hydrant",
            "lateral-lunge-single-leg-reach",
        )
        for i in [_item("hip-rotation-strength", key)]
    }

    assert doses == {
        "single-leg-rdl-reach": (8, 10, 2, 3, 30, 45),
        "squat-with-rotation": (8, 10, 2, 3, None, None),
        "fire-hydrant": (8, 10, 2, 3, None, None),
        "lateral-lunge-single-leg-reach": (4, 6, 2, 3, 60, 90),
    }


def test_the_pelvic_rotation_exercises_are_to_fatigue_with_no_invented_cap():
    for key, hold in (("extreme-clamshell", 5), ("wall-tap-hip-hinge", 1)):
        item = _item("pelvic-rotation", key)
        assert (item.to_fatigue, item.fatigue_cap, item.hold_seconds) == (True, None, hold)
        assert "to fatigue" in item.dose_text


@pytest.fixture
def library():
    library_load()


def _boren_medius(*keys):
    """The shared library's Boren 2011 gluteus medius %MVIC of each exercise, as whole numbers."""
    values = dict(
        EvidenceValue.objects.filter(
            clinic=None, study__key="boren-2011", muscle="gluteus_medius", exercise__key__in=keys
        ).values_list("exercise__key", "mvic_percent")
    )
    return [int(values[key]) for key in keys]


def test_the_starters_write_the_same_mvic_figures_as_the_evidence(library):
    """The starters' summaries and sources type %MVIC figures by hand (CLINICAL.md: keep every
    number exactly as given); each must be the shared library's value for that exercise."""
    clams = _boren_medius("clam-1", "clam-2", "clam-3", "clam-4")
    assert clams == [47, 62, 67, 76]
    assert "{}, {}, {} and {} %MVIC".format(*clams) in (
        starter_by_key("clamshell-progression").summary
    )
    reverse, clam4 = _boren_medius("clam-2", "clam-4")
    assert f"Reverse clamshell {reverse} % and Clam 4 {clam4} %MVIC" in (
        starter_by_key("reverse-clamshell").source
    )
    ladder = _boren_medius(
        "side-lying-hip-abduction", "clam-4", "single-limb-squat",
        "side-plank-abduction-dominant-top", "side-plank-abduction-dominant-bottom",
    )  # fmt: skip
    assert ladder == [63, 76, 82, 89, 103]
    assert (
        "side-lying leg raise ({}), Clam 4 ({}), single-leg squat ({}), side plank with the "
        "dominant leg on top ({}), then as the supporting leg ({})".format(*ladder)
    ) in starter_by_key("gluteus-medius-by-evidence").summary


def test_new_program_offers_the_starters_to_every_clinic(therapist_a, therapist_b, library):
    for user in (therapist_a, therapist_b):
        body = signed_in(user).get("/programs/new/").content.decode()
        assert '<optgroup label="Starter programs from the evidence">' in body
        assert '<option value="starter:pelvic-rotation">Pelvic rotation</option>' in body
        assert "Where this comes from:" in body


def test_copying_a_starter_makes_an_editable_clinic_template(therapist_a, library):
    response = signed_in(therapist_a).post("/programs/starters/hip-rotation-strength/copy/")

    template = Program.objects.get(clinic=therapist_a.clinic, is_template=True)
    assert response.status_code == 302
    assert response["Location"] == f"/programs/{template.public_id}/"
    items = list(template.items.order_by("position").select_related("exercise"))
    assert [i.exercise.key for i in items] == [
        "single-leg-rdl-reach",
        "squat-with-rotation",
        "fire-hydrant",
        "lateral-lunge-single-leg-reach",
    ]
    assert (items[0].sets, items[0].reps, items[0].rest_seconds) == (2, 8, 30)
    dash, times = "\N{EN DASH}", "\N{MULTIPLICATION SIGN}"
    assert items[3].notes == f"4{dash}6 reps per side {times} 2{dash}3 sets, rest 60{dash}90 s."
    assert "Where this comes from:" in template.notes


def test_a_copied_starter_is_only_the_copying_clinics(therapist_a, therapist_b, library):
    signed_in(therapist_a).post("/programs/starters/pelvic-rotation/copy/")

    assert not Program.objects.filter(clinic=therapist_b.clinic).exists()
    assert Program.objects.filter(clinic=therapist_a.clinic).count() == 1


def test_a_copied_starter_assigns_like_any_template(therapist_a, patient_a, library):
    client = signed_in(therapist_a)
    client.post("/programs/starters/clamshell-progression/copy/")
    template = Program.objects.get(clinic=therapist_a.clinic, is_template=True)

    response = client.post(
        f"/programs/{template.public_id}/", {"save": "assign", "patient": str(patient_a.public_id)}
    )

    assert response.status_code == 302
    assigned = Program.objects.get(patient=patient_a)
    (item,) = assigned.items.all()
    assert (item.ladder.key, item.current_level, item.reps) == ("clamshell-boren-2011", 1, 10)


def test_a_program_for_a_patient_starts_from_a_starter(therapist_a, library):
    patient = PatientFactory(therapist=therapist_a)

    response = signed_in(therapist_a).post(
        "/programs/new/",
        {
            "name": "Pelvis",
            "template": "starter:pelvic-rotation",
            "patient": str(patient.public_id),
        },
    )

    program = Program.objects.get(patient=patient)
    assert response.status_code == 302
    assert not program.is_active, "a draft until assigned"
    items = list(program.items.order_by("position"))
    # Repeated to fatigue: the patient counts reps, each lift held 5 s and each tap 1 s.
    assert [(i.to_fatigue, i.reps, i.hold_seconds) for i in items] == [(True, None, None)] * 2
    assert [i.rep_hold_seconds for i in items] == [5, 1]


def test_an_unknown_starter_is_a_404_and_patients_cannot_copy(therapist_a, patient_a, library):
    assert signed_in(therapist_a).post("/programs/starters/nope/copy/").status_code == 404
    assert (
        signed_in(patient_a.user).post("/programs/starters/pelvic-rotation/copy/").status_code
        == 403
    )
    assert not Program.objects.exists()


def test_without_the_library_copying_says_why_and_saves_nothing(therapist_a):
    response = signed_in(therapist_a).post("/programs/starters/pelvic-rotation/copy/", follow=True)

    assert "exercise library is not loaded" in response.content.decode()
    assert not Program.objects.exists()


def test_the_gluteus_medius_starter_names_its_evidence(library, therapist_a):
    body = signed_in(therapist_a).get("/programs/").content.decode()

    # The ladder in order of gluteus medius %MVIC (Boren 2011), shown on the card.
    assert "side-lying leg raise (63), Clam 4 (76), single-leg squat (82)" in body
    assert "(89), then as the supporting leg (103)" in body
    assert "<strong>Gluteus medius by evidence, from level 1</strong>" in body


@pytest.mark.parametrize("url", ["/programs/", "/programs/new/"])
def test_the_starter_cards_cost_a_fixed_number_of_queries(
    therapist_a, library, url, django_assert_max_num_queries
):
    client = signed_in(therapist_a)
    for starter in all_starters():
        client.post(f"/programs/starters/{starter.key}/copy/")

    with django_assert_max_num_queries(14):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count('class="starter-card"') == 5
