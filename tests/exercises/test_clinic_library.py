import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from apps.exercises import ladder_services, services
from apps.exercises.models import Confidence, EvidenceValue, Exercise, Ladder, Study
from tests.conftest import signed_in
from tests.exercises.factories import (
    ClinicEvidenceFactory,
    ClinicExerciseFactory,
    ClinicStudyFactory,
)
from tests.factories import LadderItemFactory

NEW_EXERCISE = {
    "name": "Banded side step",
    "aliases": "monster walk\nlateral band walk",
    "position": "standing",
    "equipment": ["mini_band"],
    "movement": "Step sideways against a band",
    "target_muscles": ["gluteus_medius"],
    "steps": "Band above the knees\nStep sideways\nKeep tension",
    "default_sets": "2",
    "default_reps": "12",
    "per_side": "each_side",
    "default_rest_seconds": "45",
}


def content(**changes):
    values = {"name": "Wall sit", "position": "standing", "movement": "Hold a squat"}
    return services.ExerciseContent(**{**values, **changes})


def test_staff_add_an_exercise_that_only_their_clinic_sees(library, therapist_a, therapist_b):
    response = signed_in(therapist_a).post(reverse("exercises:create"), NEW_EXERCISE)
    exercise = Exercise.objects.get(name="Banded side step")
    assert response.status_code == 302
    assert response["Location"] == reverse("exercises:detail", args=[exercise.public_id])
    assert exercise.clinic == therapist_a.clinic
    assert exercise.aliases == ["monster walk", "lateral band walk"]
    assert (exercise.default_reps, exercise.created_by) == (12, therapist_a)
    found = signed_in(therapist_a).get(reverse("exercises:library"), {"q": "monster"})
    assert "Banded side step" in found.content.decode()
    hidden = signed_in(therapist_b).get(reverse("exercises:library"), {"q": "monster"})
    assert "Banded side step" not in hidden.content.decode()


def test_a_new_exercise_without_reps_or_hold_is_refused_with_the_field_named(therapist_a):
    data = {**NEW_EXERCISE, "default_reps": ""}
    response = signed_in(therapist_a).post(reverse("exercises:create"), data)
    assert response.status_code == 400
    assert "Give a number of reps, a hold time, both, or “to fatigue”." in response.content.decode()
    assert not Exercise.objects.exists()


def test_staff_edit_their_own_exercise(therapist_a):
    exercise = ClinicExerciseFactory(clinic=therapist_a.clinic, name="Old name")
    data = {**NEW_EXERCISE, "name": "New name"}
    response = signed_in(therapist_a).post(
        reverse("exercises:edit", args=[exercise.public_id]), data
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.name == "New name"


def test_the_shared_library_and_other_clinics_rows_cannot_be_edited(
    library, therapist_a, therapist_b
):
    client = signed_in(therapist_a)
    shared = Exercise.objects.get(key="clam-1")
    theirs = ClinicExerciseFactory(clinic=therapist_b.clinic)
    for exercise in (shared, theirs):
        url = reverse("exercises:edit", args=[exercise.public_id])
        assert client.get(url).status_code == 404
        assert client.post(url, NEW_EXERCISE).status_code == 404
    with pytest.raises(PermissionDenied):
        services.exercise_update(user=therapist_a, exercise=shared, content=content())
    assert Exercise.objects.get(key="clam-1").name == "Clam"


def test_a_patient_cannot_write_to_the_library(library, patient_a):
    assert signed_in(patient_a.user).get(reverse("exercises:create")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.exercise_create(user=patient_a.user, content=content())


def test_keys_of_clinic_rows_never_clash(library, therapist_a):
    first = services.exercise_create(user=therapist_a, content=content(name="Clam 1"))
    second = services.exercise_create(user=therapist_a, content=content(name="Clam 1"))
    assert first.key == "clam-1-2"  # "clam-1" is the shared clam's key
    assert second.key == "clam-1-3"


def test_clinic_evidence_needs_a_source_and_is_marked_as_the_clinics(library, therapist_a):
    clam = Exercise.objects.get(key="clam-1")
    boren = Study.objects.get(key="boren-2011")
    url = reverse("exercises:evidence-add", args=[clam.public_id])
    data = {
        "study": boren.public_id,
        "muscle": "gluteus_medius",
        "mvic_percent": "49.5",
        "source": "",
    }
    response = signed_in(therapist_a).post(url, data)
    assert response.status_code == 400
    assert not EvidenceValue.objects.filter(clinic__isnull=False).exists()

    data |= {"source": "Our EMG lab, 2025", "note": "12 patients"}
    assert signed_in(therapist_a).post(url, data).status_code == 302
    value = EvidenceValue.objects.get(clinic=therapist_a.clinic)
    assert (value.mvic_percent, value.confidence) == (Decimal("49.5"), Confidence.CLINIC)
    assert value.is_less_certain

    page = signed_in(therapist_a).get(reverse("exercises:detail", args=[clam.public_id]))
    html = page.content.decode()
    assert "Boren 2011 (your clinic)" in html
    assert "Our EMG lab, 2025" in html


def test_a_study_of_another_clinic_cannot_be_cited(library, therapist_a, therapist_b):
    clam = Exercise.objects.get(key="clam-1")
    theirs = ClinicStudyFactory(clinic=therapist_b.clinic)
    url = reverse("exercises:evidence-add", args=[clam.public_id])
    data = {
        "study": theirs.public_id,
        "muscle": "gluteus_medius",
        "mvic_percent": "50",
        "source": "x",
    }
    response = signed_in(therapist_a).post(url, data)
    assert response.status_code == 400
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(
            user=therapist_a,
            exercise=clam,
            study=theirs,
            muscle="gluteus_medius",
            mvic_percent=Decimal(50),
            source="x",
        )
    assert "study" in caught.value.message_dict


def test_one_value_per_exercise_study_and_muscle_per_clinic(library, therapist_a):
    own = ClinicEvidenceFactory(exercise=ClinicExerciseFactory(clinic=therapist_a.clinic))
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(
            user=therapist_a,
            exercise=own.exercise,
            study=own.study,
            muscle=own.muscle,
            mvic_percent=Decimal(10),
            source="again",
        )
    assert "muscle" in caught.value.message_dict


def test_staff_change_and_remove_their_clinics_value(library, therapist_a):
    value = ClinicEvidenceFactory(exercise=ClinicExerciseFactory(clinic=therapist_a.clinic))
    url = reverse("exercises:evidence-edit", args=[value.public_id])
    client = signed_in(therapist_a)
    data = {
        "study": value.study.public_id,
        "muscle": "gluteus_maximus",
        "mvic_percent": "33",
        "source": "s",
    }
    assert client.post(url, data).status_code == 302
    value.refresh_from_db()
    assert (value.muscle, value.mvic_percent) == ("gluteus_maximus", Decimal(33))
    assert client.post(url, {"delete": "1"}).status_code == 302
    assert not EvidenceValue.objects.filter(pk=value.pk).exists()


def test_shared_and_other_clinics_values_cannot_be_changed(library, therapist_a, therapist_b):
    client = signed_in(therapist_a)
    shared = EvidenceValue.objects.filter(clinic=None).first()
    theirs = ClinicEvidenceFactory(exercise=ClinicExerciseFactory(clinic=therapist_b.clinic))
    for value in (shared, theirs):
        url = reverse("exercises:evidence-edit", args=[value.public_id])
        assert client.post(url, {"delete": "1"}).status_code == 404
    assert EvidenceValue.objects.filter(pk__in=[shared.pk, theirs.pk]).count() == 2


def test_the_database_refuses_a_clinic_value_without_a_source(library, clinic_a):
    with pytest.raises(IntegrityError):
        ClinicEvidenceFactory(clinic=clinic_a, exercise__clinic=clinic_a, source="")


def test_a_clinics_edits_survive_a_reload(library, therapist_a):
    clam = Exercise.objects.get(key="clam-1")
    boren = Study.objects.get(key="boren-2011")
    own = services.exercise_create(user=therapist_a, content=content())
    services.exercise_update(user=therapist_a, exercise=own, content=content(default_reps=15))
    value = services.evidence_add(
        user=therapist_a,
        exercise=clam,
        study=boren,
        muscle="gluteus_medius",
        mvic_percent=Decimal("44"),
        source="our lab",
    )
    call_command("load_library", stdout=io.StringIO())
    own.refresh_from_db()
    value.refresh_from_db()
    assert own.default_reps == 15
    assert value.mvic_percent == Decimal("44")
    shared = EvidenceValue.objects.get(
        exercise=clam, study=boren, muscle="gluteus_medius", clinic=None
    )
    assert shared.mvic_percent == Decimal("47")


def test_staff_build_a_ladder_from_shared_and_own_exercises(library, therapist_a):
    own = ClinicExerciseFactory(clinic=therapist_a.clinic, name="Our finisher")
    clam1, clam2 = Exercise.objects.get(key="clam-1"), Exercise.objects.get(key="clam-2")
    data = {
        "name": "Our clam ladder",
        "advance_at_reps": "15",
        "level_1": str(clam1.public_id),
        "level_2": str(clam2.public_id),
        "level_3": str(own.public_id),
    }
    response = signed_in(therapist_a).post(reverse("exercises:ladder-create"), data)
    ladder = Ladder.objects.get(name="Our clam ladder")
    assert response.status_code == 302
    assert ladder.clinic == therapist_a.clinic
    assert ladder.advance_at_reps == 15
    assert [lvl.exercise for lvl in ladder.levels.order_by("level")] == [clam1, clam2, own]
    page = signed_in(therapist_a).get(reverse("exercises:ladder", args=[ladder.public_id]))
    assert "Our finisher" in page.content.decode()


def test_a_ladder_in_use_keeps_its_levels(library, therapist_a):
    clam1, clam2 = Exercise.objects.get(key="clam-1"), Exercise.objects.get(key="clam-2")
    ladder = ladder_services.ladder_create(user=therapist_a, name="Ours", exercises=[clam1, clam2])
    LadderItemFactory(ladder=ladder, program__patient__therapist=therapist_a)
    with pytest.raises(ValidationError) as caught:
        ladder_services.ladder_update(
            user=therapist_a, ladder=ladder, name="Ours", exercises=[clam2]
        )
    assert "levels" in caught.value.message_dict
    updated = ladder_services.ladder_update(
        user=therapist_a,
        ladder=ladder,
        name="Renamed",
        exercises=[clam1, clam2],
        advance_at_reps=12,
    )
    assert (updated.name, updated.advance_at_reps, updated.levels.count()) == ("Renamed", 12, 2)


def test_shared_and_other_clinics_ladders_cannot_be_edited(library, therapist_a, therapist_b):
    clam1 = Exercise.objects.get(key="clam-1")
    theirs = ladder_services.ladder_create(user=therapist_b, name="Theirs", exercises=[clam1])
    shared = Ladder.objects.get(key="clamshell-boren-2011")
    client = signed_in(therapist_a)
    for ladder in (shared, theirs):
        assert (
            client.get(reverse("exercises:ladder-edit", args=[ladder.public_id])).status_code == 404
        )
    assert client.get(reverse("exercises:ladder", args=[theirs.public_id])).status_code == 404


def test_a_clinic_adds_a_study_and_cites_it(library, therapist_a):
    response = signed_in(therapist_a).post(
        reverse("exercises:study-create") + "?back=https://evil.example/",
        {"short_name": "Selkowitz 2013", "citation": "Selkowitz DM et al. 2013."},
    )
    assert response["Location"] == reverse("exercises:library")
    study = Study.objects.get(short_name="Selkowitz 2013")
    assert (study.clinic, study.is_primary) == (therapist_a.clinic, False)
