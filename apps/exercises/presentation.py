"""Shape already-loaded evidence for the pages: the accessible tables and the Chart.js data.

Both come from the same rows so the chart and its table always show the same numbers. A value
that was not reported is ``None`` here and "not reported" on the page, never zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apps.exercises.bands import Band, band_of
from apps.exercises.models import (
    GLUTEAL_MUSCLES,
    AdvanceRule,
    EvidenceValue,
    Ladder,
    LadderLevel,
    Study,
)
from apps.exercises.selectors import muscle_label, primary_values


@dataclass(frozen=True)
class EvidenceCell:
    """One muscle x study (x clinic) cell: a value, or not reported when ``value`` is None."""

    muscle: str
    study: Study
    value: EvidenceValue | None
    band: Band | None
    from_clinic: bool = False

    @property
    def muscle_label(self) -> str:
        return muscle_label(self.muscle)

    @property
    def series_label(self) -> str:
        return (
            f"{self.study.short_name} (your clinic)" if self.from_clinic else self.study.short_name
        )


def _series(evidence: Sequence[EvidenceValue], primary: Study | None) -> list[tuple[Study, bool]]:
    """Study columns: the primary study always, then each study (shared or clinic) with data."""
    series: list[tuple[Study, bool]] = [(primary, False)] if primary is not None else []
    for value in evidence:
        key = (value.study, value.clinic_id is not None)
        if key not in series:
            series.append(key)
    return series


def _muscles(evidence: Sequence[EvidenceValue]) -> list[str]:
    muscles = [str(m) for m in GLUTEAL_MUSCLES]
    muscles += [v.muscle for v in evidence if v.muscle not in muscles]
    return list(dict.fromkeys(muscles))


def evidence_cells(
    evidence: Sequence[EvidenceValue], *, primary: Study | None, bands: tuple[Band, ...]
) -> list[EvidenceCell]:
    """Every muscle x study cell, including the ones not reported, in display order."""
    found = {(v.muscle, v.study_id, v.clinic_id is not None): v for v in evidence}
    cells = []
    for muscle in _muscles(evidence):
        for study, from_clinic in _series(evidence, primary):
            value = found.get((muscle, study.pk, from_clinic))
            band = band_of(value.mvic_percent, bands) if value else None
            cells.append(EvidenceCell(muscle, study, value, band, from_clinic))
    return cells


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def activation_chart(cells: Iterable[EvidenceCell]) -> dict[str, Any]:
    """Chart.js data: one bar group per muscle, one series per study."""
    cells = list(cells)
    labels = list(dict.fromkeys(cell.muscle_label for cell in cells))
    datasets: dict[str, dict[str, Any]] = {}
    for cell in cells:
        series = datasets.setdefault(
            cell.series_label,
            {"label": cell.series_label, "values": [], "lessCertain": [], "notes": []},
        )
        series["values"].append(_number(cell.value.mvic_percent) if cell.value else None)
        series["lessCertain"].append(bool(cell.value and cell.value.is_less_certain))
        series["notes"].append(_note(cell.value))
    return {"labels": labels, "datasets": list(datasets.values()), "yTitle": "%MVIC"}


def _note(value: EvidenceValue | None) -> str:
    if value is None:
        return "not reported"
    parts = [value.get_confidence_display()]
    parts += [text for text in (value.note, value.source) if text]
    return "; ".join(parts)


@dataclass(frozen=True)
class LevelRow:
    level: LadderLevel
    medius: EvidenceValue | None
    maximus: EvidenceValue | None
    medius_band: Band | None
    maximus_band: Band | None

    @property
    def rule_text(self) -> str:
        """When the level is passed, e.g. "a 30-second hold in one set on each side"."""
        level = self.level
        return level.rule_text(level.ladder, level.exercise.per_side)

    @property
    def is_hold(self) -> bool:
        """A hold target is the clinic's default, never evidence (CLINICAL.md: no published
        criterion uses a hold time to progress), and the page labels it so."""
        return self.level.advance_rule == AdvanceRule.HOLD


def advance_summary(ladder: Ladder, levels: Iterable[LadderLevel]) -> str:
    """The ladder's header: the rule most of its levels pass on, then each level that passes
    otherwise, e.g. "Advance at 20 reps in one set (level 1: a 30-second hold in one set)"
    for the Reverse clamshell, whose stretch passes on a hold (CLINICAL.md). Ties go to the
    lower level's rule. Sides are left to the level lines, which know each exercise's."""
    groups: dict[tuple[str, int, int], list[LadderLevel]] = {}
    for level in sorted(levels, key=lambda lv: lv.level):
        key = (level.advance_rule, level.target_for(ladder), level.advance_days)
        groups.setdefault(key, []).append(level)
    if not groups:
        return f"Advance at {ladder.advance_at_reps} reps in one set"
    main = max(groups, key=lambda key: len(groups[key]))  # the first of the largest
    others = [
        f"{_level_numbers(group)}: {_rule(group[0], ladder, main_days=main[2])}"
        for key, group in groups.items()
        if key != main
    ]
    text = f"Advance at {_rule(groups[main][0], ladder, main_days=1)}"
    return f"{text} ({'; '.join(others)})" if others else text


def _rule(level: LadderLevel, ladder: Ladder, *, main_days: int) -> str:
    text = level.rule_text(ladder, per_side=False)
    # Beside a main rule over several days, a one-day exception says so.
    return f"{text}, on one day" if level.advance_days == 1 and main_days > 1 else text


def _level_numbers(levels: Sequence[LadderLevel]) -> str:
    numbers = [str(level.level) for level in levels]
    if len(numbers) == 1:
        return f"level {numbers[0]}"
    return f"levels {', '.join(numbers[:-1])} and {numbers[-1]}"


def ladder_rows(levels: Iterable[LadderLevel], *, bands: tuple[Band, ...]) -> list[LevelRow]:
    """Each level with its shared primary-study (Boren 2011) gluteal values."""
    rows = []
    for level in levels:
        primary = primary_values(level.exercise.visible_evidence)  # type: ignore[attr-defined]
        medius, maximus = (primary.get(m) for m in GLUTEAL_MUSCLES)
        rows.append(
            LevelRow(
                level,
                medius,
                maximus,
                band_of(medius.mvic_percent, bands) if medius else None,
                band_of(maximus.mvic_percent, bands) if maximus else None,
            )
        )
    return rows


def ladder_chart(rows: Sequence[LevelRow], *, study_name: str) -> dict[str, Any]:
    """Chart.js data: one bar per level and gluteal muscle, in level order."""
    labels = [f"{row.level.level}. {row.level.exercise.name}" for row in rows]
    datasets = []
    for muscle, attr in zip(GLUTEAL_MUSCLES, ("medius", "maximus"), strict=True):
        values = [getattr(row, attr) for row in rows]
        datasets.append(
            {
                "label": f"{muscle_label(muscle)} ({study_name})",
                "values": [_number(v.mvic_percent) if v else None for v in values],
                "lessCertain": [bool(v and v.is_less_certain) for v in values],
                "notes": [_note(v) for v in values],
            }
        )
    return {"labels": labels, "datasets": datasets, "yTitle": "%MVIC"}


@dataclass(frozen=True)
class LibraryRow:
    """An exercise in the library list with its shared primary-study gluteal values."""

    exercise: Any
    medius: EvidenceValue | None
    maximus: EvidenceValue | None
    medius_band: Band | None
    maximus_band: Band | None
    other_values: int
    photo_thumb: str = ""  # a higher app's thumbnail (the clinic's photo), if any


def library_rows(exercises: Iterable[Any], *, bands: tuple[Band, ...]) -> list[LibraryRow]:
    """Rows for exercises from ``exercise_library`` (which loads ``visible_evidence``)."""
    rows = []
    for exercise in exercises:
        primary = primary_values(exercise.visible_evidence)
        medius, maximus = (primary.get(m) for m in GLUTEAL_MUSCLES)
        rows.append(
            LibraryRow(
                exercise,
                medius,
                maximus,
                band_of(medius.mvic_percent, bands) if medius else None,
                band_of(maximus.mvic_percent, bands) if maximus else None,
                len(exercise.visible_evidence) - len(primary),
            )
        )
    return rows
