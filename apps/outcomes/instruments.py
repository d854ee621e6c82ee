"""The outcome instruments as data, and the code that scores them.

An instrument is a definition: its items and their answer range, its scales and each scale's
scoring rule, which direction is better, what to do with missing answers, and the change that
matters clinically. Figures come from CLINICAL.md ("Outcome measures") and
research/outcomes.md §1; the comment beside each says which source it is.

NPRS, PSFS and GROC are worded by us. LEFS and HOOS-12 ship as structure and scoring only:
their wording belongs to their authors, so a clinic loads it from its own licensed copy
(``ClinicWording``) and until then they cannot be scheduled.

Nothing here touches the database: scoring is a pure function of the answers, tested
against hand-worked examples (tests/outcomes/test_scoring.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Code(StrEnum):
    NPRS = "nprs"
    PSFS = "psfs"
    GROC = "groc"
    LEFS = "lefs"
    HOOS12 = "hoos12"


class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Verdict(StrEnum):
    IMPROVED = "meaningful improvement"
    UNCHANGED = "no meaningful change"
    WORSE = "worse"
    # The instrument has no established meaningful-change value (HOOS-12) or rates change
    # itself (GROC): the change is shown without a verdict.
    NONE = "no meaningful-change value established"


class ActivityVerdict(StrEnum):
    """One PSFS activity against its MDC (3 points, 90 % CI). The MDC is the smallest change
    beyond measurement error, not a meaningful (clinically important) change, so the
    activity's verdict says only that."""

    IMPROVED = "better, beyond measurement error"
    UNCHANGED = "within measurement error"
    WORSE = "worse, beyond measurement error"


class Rule(StrEnum):
    AS_GIVEN = "as_given"  # one item, the score is the answer
    MEAN = "mean"  # mean of the answered items
    SUM_ALL = "sum_all"  # sum; every item must be answered
    HOOS = "hoos"  # 100 - mean/4*100 with at least ``min_answered`` items


PSFS_MIN_ACTIVITIES = 3
PSFS_MAX_ACTIVITIES = 5
PLACES = Decimal("0.1")


@dataclass(frozen=True)
class Item:
    key: str
    text: str = ""  # empty for licensed instruments: the clinic's wording fills it in


@dataclass(frozen=True)
class Scale:
    key: str
    label: str
    items: tuple[str, ...]
    rule: Rule
    min_answered: int = 1
    low: int = 0  # the lowest and highest possible score of the scale
    high: int = 10

    @property
    def places(self) -> int:
        """The decimal places its scores are given to: a mean is rounded to one (``PLACES``),
        an answer or a sum is whole."""
        return 1 if self.rule in (Rule.MEAN, Rule.HOOS) else 0


@dataclass(frozen=True)
class Change:
    """The change the verdict needs: ``points`` and/or a ``percent`` of the baseline;
    ``label`` says what that threshold is."""

    points: Decimal | None
    percent: Decimal | None = None
    label: str = ""


@dataclass(frozen=True)
class Instrument:
    code: Code
    name: str
    short: str
    answer_min: int
    answer_max: int
    better: Better
    scales: tuple[Scale, ...]
    items: tuple[Item, ...] = ()
    meaningful: Change | None = None  # the verdict's threshold
    # What staff read beside a measure, labelled as the research notes label them: the
    # meaningful change (MCID / MID: clinically important) and the MDC (the smallest change
    # beyond measurement error). Empty where none is established.
    meaningful_change: str = ""
    measurement_error: str = ""
    missing_rule: str = ""
    licensed: bool = False  # wording comes from the clinic's licensed copy
    patient_items: bool = False  # the patient names the items (PSFS activities)
    from_second: bool = False  # asked only once there is a baseline to compare with (GROC)
    ends: tuple[str, str] = ("", "")  # our labels for the two ends of the answer range
    prompt: str = ""
    reference: str = ""
    options: tuple[str, ...] = field(default=())
    # What the patient's button and page call it: plain words and how long it is, not the
    # instrument's initials.
    patient_title: str = ""

    @property
    def item_keys(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.items)

    @property
    def main_scale(self) -> Scale:
        return self.scales[0]

    @property
    def needs_every_item(self) -> bool:
        """Whether every question shown must be answered before submitting (all but a
        scale that scores from some of its items, as HOOS-12's 2 of 4). The patient's
        named activities (PSFS) are all rated."""
        return self.patient_items or all(len(s.items) == s.min_answered for s in self.scales)


def _keys(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{n}" for n in range(1, count + 1))


PSFS_KEYS = _keys("activity_", PSFS_MAX_ACTIVITIES)
LEFS_KEYS = _keys("item_", 20)
HOOS_PAIN, HOOS_FUNCTION, HOOS_QOL = _keys("pain_", 4), _keys("function_", 4), _keys("qol_", 4)

NPRS = Instrument(
    code=Code.NPRS,
    name="Numeric Pain Rating Scale",
    short="NPRS",
    patient_title="Your hip pain this week (1 question)",
    answer_min=0,
    answer_max=10,
    better=Better.LOWER,
    items=(Item("pain", "On a usual day this week, how much did your hip hurt?"),),
    scales=(Scale("pain", "Hip pain", ("pain",), Rule.AS_GIVEN),),
    # Farrar 2001: a change of about 2 points or about 30 % (CLINICAL.md).
    meaningful=Change(Decimal("2"), Decimal("30"), "2 points or 30 % of the baseline"),
    meaningful_change="about 2 points or 30 % (Farrar 2001)",
    missing_rule="The one question must be answered.",
    ends=("0: no pain", "10: the worst pain you can imagine"),
    reference="Farrar et al., Pain 2001;94(2):149-158",
)

PSFS = Instrument(
    code=Code.PSFS,
    name="Patient-Specific Functional Scale",
    short="PSFS",
    patient_title="Things your hip makes hard (3 to 5 activities)",
    answer_min=0,
    answer_max=10,
    better=Better.HIGHER,
    items=tuple(Item(key) for key in PSFS_KEYS),
    # The mean of the rated activities, 0-10 (CLINICAL.md): whatever was rated counts.
    scales=(Scale("function", "Activities", PSFS_KEYS, Rule.MEAN, PSFS_MIN_ACTIVITIES),),
    # The verdict uses the MDC of the mean (2 points, 90 % CI): a change smaller than the
    # measurement error cannot be told from noise, and it is above the published MID of
    # 1.3 / 2.3 / 2.7 (small / medium / large; Abbott & Schmitt 2014), so a change past it is
    # both detectable and important. research/outcomes.md §0: 2 and 3 are MDC values, not
    # MCID, and are labelled so. A single activity is judged against its MDC only (3 points).
    meaningful=Change(
        Decimal("2"),
        None,
        "2 points (beyond measurement error for the mean, and more than the small meaningful "
        "change of 1.3)",
    ),
    meaningful_change="MID 1.3 / 2.3 / 2.7 points for a small / medium / large change "
    "(Abbott & Schmitt 2014)",
    measurement_error="MDC 2 points for the mean, 3 points for one activity (90 % CI)",
    missing_rule="Not defined by the authors: the score is the mean of the rated activities.",
    patient_items=True,
    ends=("0: I cannot do it", "10: as well as before the problem"),
    prompt="Name 3 to 5 things you find hard or cannot do because of your hip.",
    reference="Stratford et al. 1995; MID Abbott & Schmitt, JOSPT 2014",
)
PSFS_ACTIVITY_CHANGE = Decimal("3")  # MDC for one activity (90 % CI), CLINICAL.md

GROC = Instrument(
    code=Code.GROC,
    name="Global Rating of Change",
    short="GROC",
    patient_title="How your hip has changed overall (1 question)",
    answer_min=-7,
    answer_max=7,
    better=Better.HIGHER,
    items=(Item("change", "Since you started this program, how has your hip changed overall?"),),
    scales=(Scale("change", "Overall change", ("change",), Rule.AS_GIVEN, low=-7, high=7),),
    meaningful=None,  # "—" in CLINICAL.md: it is itself a rating of change
    missing_rule="The one question must be answered.",
    from_second=True,
    ends=("-7: very much worse", "+7: very much better"),
    reference="15-point form, -7 to +7",
)

LEFS = Instrument(
    code=Code.LEFS,
    name="Lower Extremity Functional Scale",
    short="LEFS",
    patient_title="Everyday activities (20 questions)",
    answer_min=0,
    answer_max=4,
    better=Better.HIGHER,
    items=tuple(Item(key) for key in LEFS_KEYS),
    scales=(Scale("function", "Function", LEFS_KEYS, Rule.SUM_ALL, 20, 0, 80),),
    # Binkley 1999: MCID 9 and MDC 9 points (90 % CI).
    meaningful=Change(Decimal("9"), None, "9 points"),
    meaningful_change="MCID 9 points (Binkley 1999)",
    measurement_error="MDC 9 points (90 % CI, Binkley 1999)",
    # No published rule for missing answers was found: no score unless all 20 are answered.
    missing_rule="All 20 items must be answered (no published rule for missing items).",
    licensed=True,
    reference="Binkley et al., Phys Ther 1999;79(4):371-383",
)

HOOS12 = Instrument(
    code=Code.HOOS12,
    name="Hip disability and Osteoarthritis Outcome Score, 12-item short form",
    short="HOOS-12",
    patient_title="Your hip in daily life (12 questions)",
    answer_min=0,
    answer_max=4,
    better=Better.HIGHER,
    items=tuple(Item(key) for key in (*HOOS_PAIN, *HOOS_FUNCTION, *HOOS_QOL)),
    # Each scale 0-100 (100 best), at least 2 of its 4 items (koos.nu). The summary impact
    # score is not computed: how it is derived was not confirmed.
    scales=(
        Scale("pain", "Pain", HOOS_PAIN, Rule.HOOS, 2, 0, 100),
        Scale("function", "Function", HOOS_FUNCTION, Rule.HOOS, 2, 0, 100),
        Scale("qol", "Quality of life", HOOS_QOL, Rule.HOOS, 2, 0, 100),
    ),
    meaningful=None,  # "not established" in CLINICAL.md
    missing_rule="A scale needs at least 2 of its 4 items; missing ones take the mean of the "
    "answered ones.",
    licensed=True,
    reference="Gandek et al., Osteoarthritis Cartilage 2019 (koos.nu)",
)

INSTRUMENTS: dict[Code, Instrument] = {i.code: i for i in (NPRS, PSFS, GROC, LEFS, HOOS12)}
DEFAULT_MEASURES = (Code.NPRS, Code.PSFS)


def instrument(code: str) -> Instrument:
    """The instrument with this code; KeyError for an unknown one."""
    return INSTRUMENTS[Code(code)]


# --- Scoring -------------------------------------------------------------------------------
class ScoringError(ValueError):
    """Answers the instrument cannot score: out of range, unknown item, too few answered."""


def _round(value: Decimal) -> Decimal:
    return value.quantize(PLACES, ROUND_HALF_UP)


def check_answers(spec: Instrument, answers: Mapping[str, int | None]) -> None:
    """Refuse an unknown item or an answer outside the item's range."""
    for key, value in answers.items():
        if key not in spec.item_keys:
            raise ScoringError(f"{spec.short} has no item {key!r}.")
        if value is not None and not spec.answer_min <= value <= spec.answer_max:
            raise ScoringError(
                f"{spec.short} answers run from {spec.answer_min} to {spec.answer_max}, "
                f"not {value}."
            )


def _scale_score(scale: Scale, values: Sequence[int]) -> Decimal | None:
    if len(values) < scale.min_answered:
        return None
    if scale.rule is Rule.AS_GIVEN:
        return Decimal(values[0])
    if scale.rule is Rule.SUM_ALL:
        return Decimal(sum(values))
    mean = Decimal(sum(values)) / Decimal(len(values))
    if scale.rule is Rule.MEAN:
        return _round(mean)
    # HOOS: 0 = no problems on the items; 100 = best on the scale. Imputing each missing
    # item with the person's mean of the answered ones leaves this mean unchanged.
    return _round(Decimal(100) - mean / Decimal(4) * Decimal(100))


def score(spec: Instrument, answers: Mapping[str, int | None]) -> dict[str, Decimal | None]:
    """Each scale's score (None where too few items were answered)."""
    check_answers(spec, answers)
    scores: dict[str, Decimal | None] = {}
    for scale in spec.scales:
        values = [v for k in scale.items if (v := answers.get(k)) is not None]
        scores[scale.key] = _scale_score(scale, values)
    return scores


# --- Change --------------------------------------------------------------------------------
def improvement(spec: Instrument, baseline: Decimal, latest: Decimal) -> Decimal:
    """The change in the instrument's better direction (positive = better)."""
    delta = latest - baseline
    return -delta if spec.better is Better.LOWER else delta


def _threshold_met(change: Change, gain: Decimal, baseline: Decimal) -> bool:
    if change.points is not None and gain >= change.points:
        return True
    if change.percent is not None and baseline > 0:
        return gain / baseline * 100 >= change.percent
    return False


def verdict(spec: Instrument, baseline: Decimal | None, latest: Decimal | None) -> Verdict | None:
    """ "meaningful improvement", "no meaningful change" or "worse" against the instrument's
    meaningful-change value; None without two scores.

    Improvement needs the value (or the percentage of the baseline, for NPRS) in the better
    direction; "worse" needs the same number of points in the other direction (a
    percentage of a low baseline would call a one-point rise worse)."""
    if baseline is None or latest is None:
        return None
    if spec.meaningful is None:
        return Verdict.NONE
    gain = improvement(spec, baseline, latest)
    if _threshold_met(spec.meaningful, gain, baseline):
        return Verdict.IMPROVED
    points = spec.meaningful.points
    if points is not None and -gain >= points:
        return Verdict.WORSE
    return Verdict.UNCHANGED


def activity_verdict(baseline: int | None, latest: int | None) -> ActivityVerdict | None:
    """One PSFS activity against its own MDC (3 points): beyond measurement error or not."""
    if baseline is None or latest is None:
        return None
    gain = Decimal(latest - baseline)
    if gain >= PSFS_ACTIVITY_CHANGE:
        return ActivityVerdict.IMPROVED
    if -gain >= PSFS_ACTIVITY_CHANGE:
        return ActivityVerdict.WORSE
    return ActivityVerdict.UNCHANGED


def band(spec: Instrument, baseline: Decimal) -> tuple[Decimal, Decimal] | None:
    """The band around the baseline where the change is below the verdict's threshold, in
    points, clipped to the scale."""
    if spec.meaningful is None or spec.meaningful.points is None:
        return None
    scale = spec.main_scale
    points = spec.meaningful.points
    if spec.meaningful.percent is not None and baseline > 0:
        # The improvement threshold is the smaller of 2 points and 30 % of the baseline.
        points_down = min(points, _round(baseline * spec.meaningful.percent / 100))
    else:
        points_down = points
    if spec.better is Better.LOWER:
        low, high = baseline - points_down, baseline + points
    else:
        low, high = baseline - points, baseline + points_down
    return max(low, Decimal(scale.low)), min(high, Decimal(scale.high))
