import io
import shutil
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from apps.exercises.loading import DATA_DIR, LibraryDataError, library_load
from apps.exercises.models import EvidenceValue, Exercise, Ladder, LadderLevel, Study
from tests.exercises.factories import ClinicEvidenceFactory, ClinicExerciseFactory
from tests.factories import ClinicFactory

# Every exercise named in the clinical notes, by key.
EXPECTED_KEYS = {
    "clam-1", "clam-2", "clam-3", "clam-4",
    "reverse-clam-band", "windshield-wiper-stretch", "side-lying-hip-abduction",
    "side-plank-abduction-dominant-bottom", "side-plank-abduction-dominant-top",
    "single-limb-squat", "front-plank-hip-extension", "gluteal-squeeze", "lateral-step-up",
    "pelvic-drop", "single-limb-bridge", "single-limb-deadlift",
    "single-leg-rdl-reach", "squat-with-rotation", "fire-hydrant",
    "lateral-lunge-single-leg-reach", "extreme-clamshell", "wall-tap-hip-hinge",
}  # fmt: skip


def snapshot():
    """Every shared row's values, to compare two loads."""
    return {
        "studies": list(Study.objects.order_by("pk").values()),
        "exercises": list(Exercise.objects.order_by("pk").values()),
        "evidence": list(EvidenceValue.objects.order_by("pk").values()),
        "ladders": list(Ladder.objects.order_by("pk").values()),
        "levels": list(LadderLevel.objects.order_by("pk").values()),
    }


def test_it_loads_every_exercise_of_the_clinical_notes(library):
    assert set(Exercise.objects.filter(clinic=None).values_list("key", flat=True)) == EXPECTED_KEYS


def test_every_csv_row_is_in_the_database_exactly(library, csv_rows):
    assert EvidenceValue.objects.count() == len(csv_rows)
    for row in csv_rows:
        value = EvidenceValue.objects.get(
            exercise__key=row["exercise_key"], study__key=row["study"], muscle=row["muscle"]
        )
        assert value.mvic_percent == row["mvic_percent"]
        assert value.confidence == row["confidence"]
        assert value.note == row["note"]
        assert value.clinic_id is None


def test_studies_carry_the_full_citation_and_boren_is_primary(library):
    boren = Study.objects.get(key="boren-2011")
    assert boren.is_primary
    assert "Int J Sports Phys Ther. 2011;6(3):206\N{EN DASH}223" in boren.citation
    assert not Study.objects.get(key="distefano-2009").is_primary


def test_the_studies_keep_their_clinical_facts(library):
    """CLINICAL.md, Studies: Boren 2011 had 26 healthy subjects (24 analysed) and 18
    exercises, ranked by the average of each subject's peak; Distefano 2009 is secondary
    evidence reporting mean amplitude."""
    boren = Study.objects.get(key="boren-2011")
    assert "26 healthy subjects (24 analysed), 18 exercises" in boren.summary
    assert "peak" in boren.summary
    distefano = Study.objects.get(key="distefano-2009")
    assert distefano.citation == (
        "Distefano LJ, Blackburn JT, Marshall SW, Padua DA. Gluteal muscle activation during "
        "common therapeutic exercises. J Orthop Sports Phys Ther. 2009;39(7):532\N{EN DASH}540."
    )
    assert "mean amplitude" in distefano.summary


def test_default_doses_are_as_given(library):
    clam = Exercise.objects.get(key="clam-1")
    assert (clam.default_sets, clam.default_reps, clam.per_side) == (2, 10, True)
    squeeze = Exercise.objects.get(key="gluteal-squeeze")
    assert (squeeze.default_sets, squeeze.default_reps, squeeze.default_hold_seconds) == (
        5,
        None,
        5,
    )
    plank = Exercise.objects.get(key="side-plank-abduction-dominant-bottom")
    assert (plank.default_sets, plank.default_reps) == (2, 8)


def test_clam_4_is_found_under_its_long_alias(library):
    clam4 = Exercise.objects.get(key="clam-4")
    assert "reverse clamshell with hip abduction and extension" in clam4.aliases


def test_the_clamshell_ladder_rises_47_62_67_76_and_advances_at_20(library):
    ladder = Ladder.objects.get(key="clamshell-boren-2011")
    levels = list(ladder.levels.order_by("level").select_related("exercise"))
    assert [lvl.exercise.key for lvl in levels] == ["clam-1", "clam-2", "clam-3", "clam-4"]
    values = [
        EvidenceValue.objects.get(
            exercise=lvl.exercise, study__key="boren-2011", muscle="gluteus_medius"
        ).mvic_percent
        for lvl in levels
    ]
    assert values == [47, 62, 67, 76]
    assert ladder.advance_at_reps == 20


def test_the_other_two_ladders_have_their_levels(library):
    def keys(ladder_key):
        return list(
            LadderLevel.objects.filter(ladder__key=ladder_key)
            .order_by("level")
            .values_list("exercise__key", flat=True)
        )

    assert keys("reverse-clamshell") == [
        "windshield-wiper-stretch", "clam-2", "reverse-clam-band", "clam-4",
    ]  # fmt: skip
    assert keys("gluteus-medius-by-evidence") == [
        "side-lying-hip-abduction", "clam-4", "single-limb-squat",
        "side-plank-abduction-dominant-top", "side-plank-abduction-dominant-bottom",
    ]  # fmt: skip


def test_loading_twice_changes_nothing(library):
    before = snapshot()
    out = io.StringIO()
    call_command("load_library", stdout=out)
    assert snapshot() == before
    assert "up to date" in out.getvalue()


def test_the_windshield_wiper_carries_the_clinical_caution(library):
    """CLINICAL.md: the stretch is not for people with a hip replacement, hip impingement or
    pain on turning the hip inward; the exercise shows it as a caution (the library page,
    Today and the handout all show ``cautions``)."""
    cautions = Exercise.objects.get(key="windshield-wiper-stretch").cautions.lower()
    assert "hip replacement" in cautions
    assert "impingement" in cautions
    assert "pain when the hip turns inward" in cautions


def test_a_caution_about_surgery_says_to_start_only_when_the_care_team_says_so(library):
    """CLINICAL.md (Safety): anyone recovering from a fracture or surgery starts only on
    their care team's advice. A caution that speaks of surgery says exactly that, and never
    that the exercise is suitable early on, which the clinical notes do not support."""
    cautions = dict(
        Exercise.objects.filter(clinic=None, cautions__icontains="surgery").values_list(
            "key", "cautions"
        )
    )
    assert {"clam-1", "gluteal-squeeze"} <= set(cautions)
    for key, text in cautions.items():
        assert "After a fracture or hip surgery, start only when your care team says so." in (
            text
        ), key
        assert "suitable" not in text.lower(), key


# The figures CLINICAL.md gives inside an exercise's description (angles, seconds, distances),
# which the app's own words for the steps must keep exactly.
STEP_FIGURES = [
    ("clam-1", "45°"), ("clam-2", "45°"), ("clam-3", "45°"), ("reverse-clam-band", "45°"),
    ("clam-4", "bottom hip bent to 45°"), ("clam-4", "(0°)"),
    ("side-lying-hip-abduction", "about 30°"), ("fire-hydrant", "90°"),
    ("lateral-lunge-single-leg-reach", "3\N{EN DASH}4 s"), ("extreme-clamshell", "5 s"),
    ("wall-tap-hip-hinge", "1 s"), ("wall-tap-hip-hinge", "one foot-length"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "figure"), STEP_FIGURES)
def test_the_steps_keep_the_figures_of_the_clinical_notes(library, key, figure):
    steps = " ".join(Exercise.objects.get(key=key, clinic=None).steps)
    assert figure in steps


# The dose in CLINICAL.md's words for each exercise it gives one for: the dose note a therapist
# reads on the exercise page and in the API must keep each of these figures exactly.
X, TO = "\N{MULTIPLICATION SIGN}", "\N{EN DASH}"
DOSE_NOTE_FIGURES = [
    ("clam-1", f"10 reps {X} 2 sets per side"), ("clam-1", f"20 reps {X} 2{TO}3 sets"),
    ("clam-2", f"10 reps {X} 2 sets per side"), ("clam-2", "toward 20 reps"),
    ("clam-3", f"10 reps {X} 2 sets per side"), ("clam-3", "toward 20 reps"),
    ("clam-4", f"10 reps {X} 2 sets per side"), ("clam-4", "toward 20 reps"),
    ("windshield-wiper-stretch", f"20{TO}30 s per side"),
    ("side-lying-hip-abduction", f"10 reps {X} 2 sets per side"),
    ("side-plank-abduction-dominant-bottom", f"8 reps {X} 2 sets per side"),
    ("side-plank-abduction-dominant-top", f"8 reps {X} 2 sets per side"),
    ("single-limb-squat", f"8 reps {X} 2 sets per side"),
    ("front-plank-hip-extension", f"8 reps {X} 2 sets per side"),
    ("gluteal-squeeze", "5 holds of 5 s"),
    ("lateral-step-up", f"10 reps {X} 2 sets per side"),
    ("pelvic-drop", f"10 reps {X} 2 sets per side"),
    ("single-limb-bridge", f"8 reps {X} 2 sets per side"),
    ("single-limb-deadlift", f"8 reps {X} 2 sets per side"),
    ("single-leg-rdl-reach", f"8{TO}10 reps {X} 2{TO}3 sets"),
    ("single-leg-rdl-reach", f"rest 30{TO}45 s"),
    ("squat-with-rotation", f"8{TO}10 reps {X} 2{TO}3 sets"),
    ("fire-hydrant", f"8{TO}10 reps {X} 2{TO}3 sets"),
    ("lateral-lunge-single-leg-reach", f"4{TO}6 reps per side {X} 2{TO}3 sets"),
    ("lateral-lunge-single-leg-reach", f"rest 60{TO}90 s"),
    ("extreme-clamshell", "5 s"),
    ("wall-tap-hip-hinge", "1 s"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "figure"), DOSE_NOTE_FIGURES)
def test_the_dose_note_keeps_the_dose_of_the_clinical_notes(library, key, figure):
    assert figure in Exercise.objects.get(key=key, clinic=None).dose_note


def test_the_reverse_clamshells_other_start_position_is_a_cue_not_a_caution(library):
    """CLINICAL.md: clam-2 is also taught with the knees at 90°; a way to do it belongs with
    how to do it, and "Take care" keeps only what to take care of."""
    clam_2 = Exercise.objects.get(key="clam-2", clinic=None)
    assert clam_2.cautions == "Stay within a comfortable range."
    assert any("knees bent to 90°" in cue for cue in clam_2.cues)


def test_a_reload_brings_a_changed_caution_to_existing_rows(library):
    Exercise.objects.filter(key="windshield-wiper-stretch").update(cautions="Ease off if sore.")
    library_load()
    assert "hip replacement" in Exercise.objects.get(key="windshield-wiper-stretch").cautions


def test_a_reload_restores_a_changed_shared_value(library):
    EvidenceValue.objects.filter(
        exercise__key="clam-1", study__key="boren-2011", muscle="gluteus_medius"
    ).update(mvic_percent=Decimal("1"))
    report = library_load()
    assert report.get("evidence values", "updated") == 1
    restored = EvidenceValue.objects.get(
        exercise__key="clam-1", study__key="boren-2011", muscle="gluteus_medius", clinic=None
    )
    assert restored.mvic_percent == Decimal("47")


def test_a_value_taken_out_of_the_csv_leaves_the_database_on_reload(library, tmp_path):
    """The database holds exactly the file's values: a correction that drops a row (here
    Boren's clam-2 gluteus maximus) must not leave the old figure on the pages and in the
    API. A clinic's own value for the same cell stays."""
    clinic = ClinicFactory()
    shared_clam_2 = Exercise.objects.get(key="clam-2", clinic=None)
    own = ClinicEvidenceFactory(
        clinic=clinic, exercise=shared_clam_2, muscle="gluteus_maximus", mvic_percent=14
    )
    for name in ("library.toml", "movements.toml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    lines = (DATA_DIR / "emg_evidence.csv").read_text(encoding="utf-8").splitlines()
    dropped = "clam-2,boren-2011,gluteus_maximus,12,single-source,"
    assert dropped in lines
    kept = [line for line in lines if line != dropped]
    (tmp_path / "emg_evidence.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")

    report = library_load(data_dir=tmp_path)

    assert report.get("evidence values", "removed") == 1
    assert report.changed
    assert not EvidenceValue.objects.filter(
        exercise__key="clam-2", study__key="boren-2011", muscle="gluteus_maximus", clinic=None
    ).exists()
    assert EvidenceValue.objects.filter(clinic=None).count() == len(kept) - 1  # the header
    assert EvidenceValue.objects.filter(pk=own.pk).exists()


def test_a_clinics_own_rows_survive_a_reload(library):
    clinic = ClinicFactory()
    own = ClinicExerciseFactory(clinic=clinic, key="clam-1", name="Our clam", default_reps=12)
    shared_clam = Exercise.objects.get(key="clam-1", clinic=None)
    correction = ClinicEvidenceFactory(
        clinic=clinic, exercise=shared_clam, mvic_percent=Decimal("50.5"), note="our lab"
    )
    call_command("load_library", stdout=io.StringIO())
    own.refresh_from_db()
    correction.refresh_from_db()
    assert (own.name, own.default_reps, own.clinic_id) == ("Our clam", 12, clinic.pk)
    assert (correction.mvic_percent, correction.note) == (Decimal("50.5"), "our lab")
    assert Exercise.objects.filter(key="clam-1").count() == 2


def test_bad_data_is_refused_whole_with_the_line_named(db, tmp_path):
    shutil.copy(DATA_DIR / "library.toml", tmp_path / "library.toml")
    shutil.copy(DATA_DIR / "movements.toml", tmp_path / "movements.toml")
    text = (DATA_DIR / "emg_evidence.csv").read_text(encoding="utf-8")
    (tmp_path / "emg_evidence.csv").write_text(
        text + "no-such-exercise,boren-2011,gluteus_medius,10,inferred,\n", encoding="utf-8"
    )
    with pytest.raises(LibraryDataError, match=r"line 32.*no-such-exercise"):
        library_load(data_dir=tmp_path)
    assert not Exercise.objects.exists()


def test_the_command_reports_bad_data_as_a_command_error(db, monkeypatch):
    def broken(**kwargs):
        raise LibraryDataError("emg_evidence.csv line 3: nonsense")

    monkeypatch.setattr("apps.exercises.management.commands.load_library.library_load", broken)
    with pytest.raises(CommandError, match="line 3"):
        call_command("load_library", stdout=io.StringIO())
