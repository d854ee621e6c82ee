"""Every shared %MVIC value, written out as a literal number.

test_load_library.py checks the database against the app's own emg_evidence.csv, so a wrong
edit to that file would still pass there. Here the numbers are copied by hand from
/work/shared/CLINICAL.md (Exercises) and /work/shared/research/emg_evidence.csv, so a change
to any value in the app's data fails this file until someone checks it against the sources.
"""

from decimal import Decimal

import pytest

from apps.exercises.loading import library_load
from apps.exercises.models import EvidenceValue

pytestmark = pytest.mark.django_db

MED = "gluteus_medius"
MAX = "gluteus_maximus"

# Boren et al. 2011 (average of each subject's peak %MVIC): the library's primary evidence.
BOREN_2011 = {
    ("clam-1", MED): 47,
    ("clam-1", MAX): 53,
    ("clam-2", MED): 62,
    ("clam-2", MAX): 12,
    ("clam-3", MED): 67,
    ("clam-4", MED): 76,
    ("side-plank-abduction-dominant-bottom", MED): 103,
    ("side-plank-abduction-dominant-bottom", MAX): 71,
    ("side-plank-abduction-dominant-top", MED): 89,
    ("side-plank-abduction-dominant-top", MAX): 73,
    ("single-limb-squat", MED): 82,
    ("single-limb-squat", MAX): 71,
    ("front-plank-hip-extension", MED): 75,
    ("front-plank-hip-extension", MAX): 106,
    ("gluteal-squeeze", MAX): 81,
    ("side-lying-hip-abduction", MED): 63,
    ("side-lying-hip-abduction", MAX): 51,
    ("lateral-step-up", MED): 59,
    ("lateral-step-up", MAX): 63,
    ("pelvic-drop", MED): 58,
    ("single-limb-bridge", MED): 55,
    ("single-limb-bridge", MAX): 54,
}

# Distefano et al. 2009 (mean amplitude %MVIC): secondary evidence.
DISTEFANO_2009 = {
    ("side-lying-hip-abduction", MED): 81,
    ("side-lying-hip-abduction", MAX): 39,
    ("clam-1", MED): 40,
    ("clam-1", MAX): 34,
    ("single-limb-squat", MED): 64,
    ("single-limb-squat", MAX): 59,
    ("single-limb-deadlift", MED): 59,
    ("single-limb-deadlift", MAX): 59,
}

EXPECTED = [
    ("boren-2011", exercise, muscle, value) for (exercise, muscle), value in BOREN_2011.items()
] + [
    ("distefano-2009", exercise, muscle, value)
    for (exercise, muscle), value in DISTEFANO_2009.items()
]


@pytest.fixture(autouse=True)
def _library():
    library_load()


def shared_value(exercise, study, muscle):
    return EvidenceValue.objects.get(
        exercise__key=exercise, study__key=study, muscle=muscle, clinic=None
    ).mvic_percent


@pytest.mark.parametrize(("study", "exercise", "muscle", "value"), EXPECTED)
def test_each_shared_value_is_the_published_one(study, exercise, muscle, value):
    assert shared_value(exercise, study, muscle) == Decimal(value)


def test_the_shared_library_holds_these_values_and_no_others():
    """30 values in all; an exercise or muscle the study did not report has no row (the app
    shows "not reported", never a zero)."""
    rows = set(
        EvidenceValue.objects.filter(clinic=None).values_list(
            "study__key", "exercise__key", "muscle"
        )
    )
    assert rows == {(study, exercise, muscle) for study, exercise, muscle, _ in EXPECTED}
    assert len(rows) == 30


def test_the_clamshell_levels_rise_47_62_67_76_for_gluteus_medius():
    levels = ["clam-1", "clam-2", "clam-3", "clam-4"]
    assert [shared_value(key, "boren-2011", MED) for key in levels] == [
        Decimal(47),
        Decimal(62),
        Decimal(67),
        Decimal(76),
    ]


def test_clam_3_and_clam_4_report_no_gluteus_maximus_value():
    for key in ("clam-3", "clam-4"):
        assert not EvidenceValue.objects.filter(
            exercise__key=key, study__key="boren-2011", muscle=MAX, clinic=None
        ).exists()
