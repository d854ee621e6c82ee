import json
import re

import pytest
from django.urls import reverse

from apps.exercises.models import Exercise, Ladder
from tests.conftest import signed_in
from tests.exercises.factories import ClinicEvidenceFactory, ClinicExerciseFactory
from tests.factories import LadderFactory

LIBRARY = reverse("exercises:library")


def names_in_order(response):
    html = response.content.decode()
    return re.findall(r'class="exercise-link" href="[^"]+">([^<]+)</a>', html)


def test_sorting_by_gluteus_medius_puts_side_plank_bottom_first_and_unreported_last(
    library, therapist_a
):
    response = signed_in(therapist_a).get(LIBRARY, {"ordering": "-gluteus_medius"})
    names = names_in_order(response)
    assert names[0] == "Side plank with hip abduction (dominant leg bottom)"
    assert names[1] == "Side plank with hip abduction (dominant leg top)"
    # Exercises without a Boren 2011 gluteus medius value come after every one with a value.
    assert names.index("Gluteal squeeze") > names.index("Clam")
    assert names[-1] in {e.name for e in Exercise.objects.exclude(key__startswith="clam")}


def test_sorting_by_gluteus_maximus_puts_front_plank_first(library, therapist_a):
    response = signed_in(therapist_a).get(LIBRARY, {"ordering": "-gluteus_maximus"})
    assert names_in_order(response)[0] == "Front plank with hip extension"


def test_search_finds_an_exercise_by_alias(library, therapist_a):
    response = signed_in(therapist_a).get(
        LIBRARY, {"q": "reverse clamshell with hip abduction and extension"}
    )
    assert names_in_order(response) == ["Clam 4"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"equipment": "mini_band"}, {"Reverse clamshell with mini band"}),
        ({"equipment": "wall"}, {"Wall-tap hip hinge"}),
        ({"position": "quadruped"}, {"Fire hydrant"}),
        ({"muscle": "hamstrings", "position": "supine"}, {"Single-leg bridge"}),
        ({"band": "very_high", "muscle": "gluteus_maximus", "position": "plank"},
         {"Front plank with hip extension", "Side plank with hip abduction (dominant leg bottom)",
          "Side plank with hip abduction (dominant leg top)"}),
        ({"band": "moderate", "muscle": "gluteus_medius"}, {"Clam"}),  # Distefano's 40
    ],
)  # fmt: skip
def test_filters_narrow_the_list(library, therapist_a, params, expected):
    response = signed_in(therapist_a).get(LIBRARY, params)
    assert response.status_code == 200
    assert set(names_in_order(response)) == expected


def test_no_equipment_lists_only_exercises_without_equipment(library, therapist_a):
    names = set(names_in_order(signed_in(therapist_a).get(LIBRARY, {"equipment": "none"})))
    assert names == set(Exercise.objects.filter(equipment=[]).values_list("name", flat=True))
    assert "Single-leg squat" in names


def test_bands_come_from_the_clinic(library, therapist_a):
    clinic = therapist_a.clinic
    clinic.band_moderate_from, clinic.band_high_from, clinic.band_very_high_from = 30, 50, 70
    clinic.save(update_fields=["band_moderate_from", "band_high_from", "band_very_high_from"])
    response = signed_in(therapist_a).get(
        LIBRARY, {"band": "moderate", "muscle": "gluteus_medius", "position": "side_lying"}
    )
    # Clam (47) now sits in the clinic's moderate band (30-49), as does Distefano's 40.
    assert set(names_in_order(response)) == {"Clam"}
    assert "30\N{EN DASH}49 %" in response.content.decode()


@pytest.mark.parametrize("param", ["muscle", "position", "equipment", "band", "ordering"])
def test_a_bad_filter_is_a_400_naming_the_parameter(library, therapist_a, param):
    response = signed_in(therapist_a).get(LIBRARY, {param: "bogus"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"<code>{param}</code>" in html
    assert "“bogus” is not a valid" in html


def test_filtering_with_htmx_returns_only_the_results(library, therapist_a):
    response = signed_in(therapist_a).get(LIBRARY, {"q": "clam"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Clam 4" in html


def test_htmxs_restore_from_history_gets_the_whole_page(library, therapist_a):
    # The filters push their address; going Back to one no longer in htmx's history cache
    # has htmx ask for it (HX-Request too) and put the answer in place of the whole body:
    # the bare results were the page, with no menu, heading or filters.
    restore = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}

    response = signed_in(therapist_a).get(LIBRARY, {"q": "clam"}, **restore)

    html = response.content.decode()
    assert "<html" in html
    assert '<nav aria-label="Main">' in html
    assert "Clam 4" in html


def test_the_page_needs_a_fixed_number_of_queries(
    library, therapist_a, django_assert_max_num_queries
):
    client = signed_in(therapist_a)
    client.get(LIBRARY)  # warm the session
    for _ in range(30):
        ClinicEvidenceFactory(exercise=ClinicExerciseFactory(clinic=therapist_a.clinic))
    # One of them: the staff menu's count of what waits in the inbox.
    with django_assert_max_num_queries(7):
        response = client.get(LIBRARY, {"ordering": "-gluteus_medius", "band": "high"})
    assert response.status_code == 200


def test_a_patient_cannot_open_the_library(library, patient_a):
    assert signed_in(patient_a.user).get(LIBRARY).status_code == 403


def test_signing_in_is_required(library, client):
    response = client.get(LIBRARY)
    assert response.status_code == 302
    assert reverse("clinics:login") in response["Location"]


def test_an_exercise_page_shows_instructions_chart_and_uncertainty(library, therapist_a):
    clam3 = Exercise.objects.get(key="clam-3")
    response = signed_in(therapist_a).get(reverse("exercises:detail", args=[clam3.public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in [*clam3.steps, *clam3.cues, *clam3.common_mistakes, clam3.cautions]:
        assert text.replace("'", "&#x27;") in html
    assert "2 sets \N{MULTIPLICATION SIGN} 10\N{EN DASH}20 reps per side" in html
    assert "not reported" in html  # Boren 2011 gave no gluteus maximus value for Clam 3
    assert "some secondary sources report 68" in html
    chart = json.loads(re.search(r'id="activation-chart-data"[^>]*>(.*?)</script>', html).group(1))
    boren = next(s for s in chart["datasets"] if s["label"] == "Boren 2011")
    assert boren["values"] == [67.0, None]


def test_less_certain_values_are_marked_with_their_note(library, therapist_a):
    step_up = Exercise.objects.get(key="lateral-step-up")
    html = signed_in(therapist_a).get(reverse("exercises:detail", args=[step_up.public_id]))
    html = html.content.decode()
    assert 'class="badge warn less-certain"' in html
    assert "attributed to this study from a review table" in html
    chart = json.loads(re.search(r'id="activation-chart-data"[^>]*>(.*?)</script>', html).group(1))
    assert chart["datasets"][0]["lessCertain"] == [True, True]


def test_an_exercise_page_needs_a_fixed_number_of_queries(
    library, therapist_a, django_assert_max_num_queries
):
    clam = Exercise.objects.get(key="clam-1")
    for _ in range(20):
        ClinicEvidenceFactory(clinic=therapist_a.clinic, exercise=clam)
    client = signed_in(therapist_a)
    client.get(LIBRARY)  # warm the session
    # One of them: the staff menu's count of what waits in the inbox.
    with django_assert_max_num_queries(9):
        assert client.get(reverse("exercises:detail", args=[clam.public_id])).status_code == 200


def test_another_clinics_exercise_is_a_404(library, therapist_a, therapist_b):
    theirs = ClinicExerciseFactory(clinic=therapist_b.clinic, name="B's secret clam")
    client = signed_in(therapist_a)
    assert client.get(reverse("exercises:detail", args=[theirs.public_id])).status_code == 404
    assert "B&#x27;s secret clam" not in client.get(LIBRARY).content.decode()
    own_client = signed_in(therapist_b)
    assert own_client.get(reverse("exercises:detail", args=[theirs.public_id])).status_code == 200


def test_the_clamshell_ladder_page_lists_47_62_67_76(library, therapist_a):
    ladder = Ladder.objects.get(key="clamshell-boren-2011")
    html = signed_in(therapist_a).get(reverse("exercises:ladder", args=[ladder.public_id]))
    html = html.content.decode()
    values = re.findall(r"<dt>Gluteus medius</dt><dd>\s*<span class=\"mvic\"><strong>(\d+) %", html)
    assert values == ["47", "62", "67", "76"]
    assert "Advance at 20 reps" in html


def test_the_ladder_pages_need_a_fixed_number_of_queries(
    library, therapist_a, django_assert_max_num_queries
):
    for _ in range(5):
        LadderFactory(clinic=therapist_a.clinic, levels=3)
    client = signed_in(therapist_a)
    client.get(LIBRARY)  # warm the session
    with django_assert_max_num_queries(8):
        assert client.get(reverse("exercises:ladders")).status_code == 200
    ladder = Ladder.objects.get(key="gluteus-medius-by-evidence")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("exercises:ladder", args=[ladder.public_id])).status_code == 200


@pytest.mark.parametrize(
    ("band", "listed"), [("high", False), ("very_high", True)]
)  # fmt: skip
def test_a_clinic_value_with_a_decimal_is_filtered_into_the_band_its_label_names(
    library, therapist_a, band, listed
):
    # 60.5 is "above 60 %": the library's very high band, the same band its page shows.
    ClinicEvidenceFactory(
        exercise=ClinicExerciseFactory(clinic=therapist_a.clinic, name="Decimal lift"),
        mvic_percent="60.5",
    )
    response = signed_in(therapist_a).get(LIBRARY, {"band": band})
    assert ("Decimal lift" in names_in_order(response)) is listed
