"""Scoring and meaningful-change verdicts, each against an example worked by hand here."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.outcomes.instruments import (
    GROC,
    HOOS12,
    INSTRUMENTS,
    LEFS,
    NPRS,
    PSFS,
    ActivityVerdict,
    Code,
    ScoringError,
    Verdict,
    activity_verdict,
    band,
    score,
    verdict,
)

D = Decimal


# --- The figures carried over from CLINICAL.md ----------------------------------------------
def test_it_carries_the_clinical_figures_exactly() -> None:
    assert NPRS.meaningful is not None
    assert NPRS.meaningful.points == D(2)
    assert NPRS.meaningful.percent == D(30)
    assert (NPRS.answer_min, NPRS.answer_max, NPRS.better) == (0, 10, "lower")
    assert PSFS.meaningful is not None
    assert PSFS.meaningful.points == D(2)
    assert (PSFS.answer_min, PSFS.answer_max, PSFS.better) == (0, 10, "higher")
    assert LEFS.meaningful is not None
    assert LEFS.meaningful.points == D(9)
    assert (len(LEFS.items), LEFS.answer_max, LEFS.scales[0].high) == (20, 4, 80)
    assert (len(HOOS12.items), HOOS12.answer_max, HOOS12.meaningful) == (12, 4, None)
    assert [len(s.items) for s in HOOS12.scales] == [4, 4, 4]
    assert [s.min_answered for s in HOOS12.scales] == [2, 2, 2]
    assert (GROC.answer_min, GROC.answer_max, GROC.meaningful) == (-7, 7, None)
    assert GROC.from_second
    assert not NPRS.from_second


def test_only_lefs_and_hoos12_ship_without_wording() -> None:
    licensed = {code for code, spec in INSTRUMENTS.items() if spec.licensed}
    assert licensed == {Code.LEFS, Code.HOOS12}
    assert all(not item.text for item in LEFS.items + HOOS12.items)
    assert all(item.text for item in NPRS.items + GROC.items)


# --- NPRS ----------------------------------------------------------------------------------
def test_nprs_scores_the_answer_as_given() -> None:
    assert score(NPRS, {"pain": 6}) == {"pain": D(6)}


def test_nprs_without_its_answer_has_no_score() -> None:
    assert score(NPRS, {"pain": None}) == {"pain": None}


@pytest.mark.parametrize(
    ("baseline", "latest", "expected"),
    [
        # 7 -> 5: 2 points down (29 %): the 2-point rule is met.
        (7, 5, Verdict.IMPROVED),
        # 3 -> 2: 1 point, but 1/3 = 33 % of the baseline, past 30 %.
        (3, 2, Verdict.IMPROVED),
        # 8 -> 7: 1 point and 12.5 %: neither.
        (8, 7, Verdict.UNCHANGED),
        # 4 -> 5: higher pain, 1 point: not yet worse.
        (4, 5, Verdict.UNCHANGED),
        # 4 -> 6: 2 points more pain.
        (4, 6, Verdict.WORSE),
        # 0 -> 1: no percentage of a zero baseline; 1 point is no meaningful change.
        (0, 1, Verdict.UNCHANGED),
    ],
)
def test_nprs_verdicts(baseline: int, latest: int, expected: Verdict) -> None:
    assert verdict(NPRS, D(baseline), D(latest)) == expected


def test_nprs_band_uses_the_smaller_of_two_points_and_thirty_percent() -> None:
    # Baseline 5: 30 % is 1.5 points, below 2: improvement starts at 3.5; worse at 7.
    assert band(NPRS, D(5)) == (D("3.5"), D(7))
    # Baseline 9: 30 % is 2.7, so 2 points decide; the top is clipped to 10.
    assert band(NPRS, D(9)) == (D(7), D(10))


def test_nprs_more_pain_is_worse_only_at_two_points_never_by_a_percentage() -> None:
    """CLINICAL.md: NPRS meaningful change about 2 points or 30 % (Farrar 2001, a
    reduction). 3 -> 4 is 33 % of a low baseline but one point: no meaningful change, as
    ``verdict`` says (a percentage would call a one-point rise worse)."""
    assert verdict(NPRS, D(3), D(4)) == Verdict.UNCHANGED
    assert verdict(NPRS, D(3), D(5)) == Verdict.WORSE


# --- PSFS ----------------------------------------------------------------------------------
def test_psfs_is_the_mean_of_the_rated_activities() -> None:
    # (3 + 4 + 6) / 3 = 13 / 3 = 4.33 -> 4.3
    answers = {"activity_1": 3, "activity_2": 4, "activity_3": 6}
    assert score(PSFS, answers) == {"function": D("4.3")}


def test_psfs_averages_whatever_was_rated_when_five_were_named() -> None:
    # Five named, one left blank: (2 + 5 + 5 + 7) / 4 = 19 / 4 = 4.75 -> 4.8
    answers = {"activity_1": 2, "activity_2": 5, "activity_3": None}
    answers |= {"activity_4": 5, "activity_5": 7}
    assert score(PSFS, answers) == {"function": D("4.8")}


def test_psfs_with_fewer_than_three_rated_has_no_score() -> None:
    assert score(PSFS, {"activity_1": 2, "activity_2": 5}) == {"function": None}


@pytest.mark.parametrize(
    ("baseline", "latest", "expected"),
    [
        ("4.3", "6.3", Verdict.IMPROVED),  # +2.0: the MDC of the mean
        ("4.3", "6.0", Verdict.UNCHANGED),  # +1.7: past the small MID 1.3, below the MDC
        ("5.0", "3.0", Verdict.WORSE),  # -2.0
        ("5.0", "3.4", Verdict.UNCHANGED),  # -1.6
    ],
)
def test_psfs_verdicts(baseline: str, latest: str, expected: Verdict) -> None:
    assert verdict(PSFS, D(baseline), D(latest)) == expected


def test_psfs_single_activity_needs_three_points_and_says_only_beyond_measurement_error() -> None:
    # 3 points is the MDC of one activity (research/outcomes.md §0), not a meaningful change.
    assert [activity_verdict(*pair) for pair in [(2, 5), (2, 4), (6, 3), (None, 3)]] == [
        "better, beyond measurement error",
        "within measurement error",
        "worse, beyond measurement error",
        None,
    ]
    assert isinstance(activity_verdict(2, 5), ActivityVerdict)


def test_psfs_activity_without_a_latest_rating_has_no_verdict() -> None:
    """An activity rated at the baseline and not yet again (``selectors.ActivityChange``
    allows it) has no verdict against the 3-point MDC, rather than an error."""
    assert activity_verdict(4, None) is None


def test_psfs_band_is_clipped_to_zero_to_ten() -> None:
    """CLINICAL.md: the PSFS mean runs 0-10; the band of no meaningful change (2 points
    either way) stops at both ends of the scale."""
    assert band(PSFS, D(1)) == (D(0), D(3))
    assert band(PSFS, D("9.5")) == (D("7.5"), D(10))


def test_a_mean_halfway_between_two_tenths_rounds_up() -> None:
    # (4 + 4 + 4 + 5) / 4 = 4.25 -> 4.3, not to the even 4.2: from a baseline of 2.3 this is
    # the 2-point change the verdict needs.
    answers = {"activity_1": 4, "activity_2": 4, "activity_3": 4, "activity_4": 5}
    assert score(PSFS, answers) == {"function": D("4.3")}
    assert verdict(PSFS, D("2.3"), D("4.3")) == Verdict.IMPROVED


def test_mdc_figures_are_labelled_beyond_measurement_error_and_mcid_figures_meaningful() -> None:
    """research/outcomes.md §0-1: the PSFS 2 / 3 points are MDC values (90 % CI), the
    published MID is 1.3 / 2.3 / 2.7; LEFS has MCID 9 and MDC 9; NPRS about 2 points or 30 %."""
    assert PSFS.meaningful_change == (
        "MID 1.3 / 2.3 / 2.7 points for a small / medium / large change (Abbott & Schmitt 2014)"
    )
    assert PSFS.measurement_error == (
        "MDC 2 points for the mean, 3 points for one activity (90 % CI)"
    )
    assert LEFS.meaningful_change == "MCID 9 points (Binkley 1999)"
    assert LEFS.measurement_error == "MDC 9 points (90 % CI, Binkley 1999)"
    assert NPRS.meaningful_change == "about 2 points or 30 % (Farrar 2001)"
    assert NPRS.measurement_error == ""
    assert (HOOS12.meaningful_change, GROC.meaningful_change) == ("", "")
    for spec in INSTRUMENTS.values():
        assert "MDC" not in spec.meaningful_change
        assert "MID" not in spec.measurement_error
        assert "MCID" not in spec.measurement_error


# --- GROC ----------------------------------------------------------------------------------
def test_groc_scores_as_given_and_refuses_outside_minus_seven_to_seven() -> None:
    assert score(GROC, {"change": -3}) == {"change": D(-3)}
    with pytest.raises(ScoringError):
        score(GROC, {"change": 8})
    with pytest.raises(ScoringError):
        score(GROC, {"change": -8})


def test_groc_without_its_answer_has_no_score() -> None:
    assert score(GROC, {}) == {"change": None}


def test_groc_has_no_verdict_of_its_own() -> None:
    assert verdict(GROC, D(0), D(5)) == Verdict.NONE


# --- LEFS ----------------------------------------------------------------------------------
def _lefs(values: Sequence[int | None]) -> dict[str, int | None]:
    return {f"item_{n}": v for n, v in enumerate(values, start=1)}


def test_lefs_is_the_sum_of_twenty_items() -> None:
    # Ten items at 2 and ten at 3: 20 + 30 = 50.
    assert score(LEFS, _lefs([2] * 10 + [3] * 10)) == {"function": D(50)}
    assert score(LEFS, _lefs([4] * 20)) == {"function": D(80)}
    assert score(LEFS, _lefs([0] * 20)) == {"function": D(0)}


def test_lefs_with_a_missing_item_has_no_score() -> None:
    assert score(LEFS, _lefs([3] * 19 + [None])) == {"function": None}


@pytest.mark.parametrize(
    ("baseline", "latest", "expected"),
    [(41, 50, Verdict.IMPROVED), (41, 49, Verdict.UNCHANGED), (50, 41, Verdict.WORSE)],
)
def test_lefs_verdicts_at_nine_points(baseline: int, latest: int, expected: Verdict) -> None:
    assert verdict(LEFS, D(baseline), D(latest)) == expected


def test_lefs_refuses_an_answer_of_five() -> None:
    with pytest.raises(ScoringError):
        score(LEFS, _lefs([5] + [0] * 19))


def test_lefs_band_is_clipped_to_zero_to_eighty() -> None:
    """CLINICAL.md: LEFS is a sum, 0-80, MCID 9 (Binkley 1999)."""
    assert band(LEFS, D(5)) == (D(0), D(14))
    assert band(LEFS, D(75)) == (D(66), D(80))


# --- HOOS-12 -------------------------------------------------------------------------------
def test_hoos12_scales_to_100_best() -> None:
    answers = {"pain_1": 1, "pain_2": 2, "pain_3": 1, "pain_4": 0}  # mean 1.0 -> 100-25 = 75
    answers |= {"function_1": 4, "function_2": 4, "function_3": 4, "function_4": 4}  # -> 0
    answers |= {"qol_1": 0, "qol_2": 0, "qol_3": 0, "qol_4": 1}  # mean 0.25 -> 93.75 -> 93.8
    assert score(HOOS12, answers) == {"pain": D(75), "function": D(0), "qol": D("93.8")}


def test_hoos12_imputes_a_scale_with_two_of_four_and_drops_one_with_one() -> None:
    # Pain: 3 and 2 answered, mean 2.5 -> 100 - 62.5 = 37.5; function: one item only -> None.
    answers = {"pain_1": 3, "pain_3": 2, "function_2": 1, "qol_1": 2, "qol_2": 2, "qol_3": 2}
    assert score(HOOS12, answers) == {"pain": D("37.5"), "function": None, "qol": D(50)}


def test_hoos12_shows_change_without_a_verdict() -> None:
    assert verdict(HOOS12, D(40), D(75)) == Verdict.NONE


def test_hoos12_a_quarter_point_rounds_up() -> None:
    # Function 0, 1, 1, 1: mean 0.75 -> 100 - 18.75 = 81.25 -> 81.3 (half up, not to the
    # even 81.2).
    answers = {"function_1": 0, "function_2": 1, "function_3": 1, "function_4": 1}
    assert score(HOOS12, answers)["function"] == D("81.3")


def test_scores_are_shown_to_the_places_they_are_scored_to() -> None:
    """A mean (PSFS, each HOOS-12 scale) to one decimal place, as ``score`` rounds it: the
    report shows HOOS-12 81.3, not 81; an answer (NPRS, GROC) or a sum (LEFS) is whole."""
    places = {code: [s.places for s in spec.scales] for code, spec in INSTRUMENTS.items()}
    assert places == {
        Code.NPRS: [0],
        Code.PSFS: [1],
        Code.GROC: [0],
        Code.LEFS: [0],
        Code.HOOS12: [1, 1, 1],
    }


def test_only_hoos12_may_be_submitted_with_questions_unanswered() -> None:
    # HOOS-12 scores a scale from 2 of its 4 items; every other instrument needs every
    # question it shows (PSFS: each activity the patient named).
    assert [spec.code for spec in INSTRUMENTS.values() if not spec.needs_every_item] == [
        Code.HOOS12
    ]


def test_an_unknown_item_is_refused() -> None:
    with pytest.raises(ScoringError):
        score(NPRS, {"stiffness": 3})


def test_no_verdict_without_a_baseline() -> None:
    assert verdict(NPRS, None, D(3)) is None


# --- For any answers ---------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(data=st.data(), code=st.sampled_from(list(INSTRUMENTS)))
def test_any_answers_in_range_score_within_each_scale(data: st.DataObject, code: Code) -> None:
    spec = INSTRUMENTS[code]
    values = st.one_of(st.none(), st.integers(spec.answer_min, spec.answer_max))
    answers = {key: data.draw(values) for key in spec.item_keys}
    for scale in spec.scales:
        result = score(spec, answers)[scale.key]
        answered = sum(answers[k] is not None for k in scale.items)
        assert (result is None) == (answered < scale.min_answered)
        if result is not None:
            assert scale.low <= result <= scale.high


@given(
    code=st.sampled_from([Code.NPRS, Code.PSFS, Code.LEFS]),
    baseline=st.integers(0, 80),
    step=st.integers(-80, 80),
)
def test_verdicts_are_never_both_ways_and_no_change_is_no_change(
    code: Code, baseline: int, step: int
) -> None:
    spec = INSTRUMENTS[code]
    high = spec.scales[0].high
    base, latest = D(min(baseline, high)), D(max(0, min(high, baseline + step)))
    assert verdict(spec, base, base) == Verdict.UNCHANGED
    forward, backward = verdict(spec, base, latest), verdict(spec, latest, base)
    if forward == Verdict.WORSE:
        assert backward == Verdict.IMPROVED
