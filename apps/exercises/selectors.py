"""Reads of the exercise library. Every function starts from the user, so a clinic sees the
shared library plus its own rows and never another clinic's; each returns in a fixed number of
queries whatever the size of the library."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    Exists,
    F,
    OrderBy,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Lower

from apps.exercises.bands import Band
from apps.exercises.models import (
    GLUTEAL_MUSCLES,
    LESS_CERTAIN,
    Confidence,
    EvidenceValue,
    Exercise,
    Ladder,
    LadderLevel,
    Muscle,
    Study,
)

if TYPE_CHECKING:
    from apps.clinics.models import User

# Library orderings: a muscle sorts by its Boren 2011 (primary study) %MVIC; "-" is highest
# first. Exercises without a value sort last either way.
ORDERINGS = {
    "name": "Name, A to Z",
    "-name": "Name, Z to A",
    "-gluteus_medius": "Gluteus medius: high to low",
    "gluteus_medius": "Gluteus medius: low to high",
    "-gluteus_maximus": "Gluteus maximus: high to low",
    "gluteus_maximus": "Gluteus maximus: low to high",
}
NO_EQUIPMENT = "none"


@dataclass(frozen=True)
class LibraryFilters:
    """Validated library filters; empty strings mean "any"."""

    q: str = ""
    muscle: str = ""
    position: str = ""
    equipment: str = ""
    band: Band | None = None
    ordering: str = "name"

    @property
    def narrows(self) -> bool:
        """Whether any filter leaves exercises out: a sort alone still lists them all."""
        return any((self.q, self.muscle, self.position, self.equipment, self.band))

    @property
    def ordering_label(self) -> str:
        """The order in the words of the "Sort by" choice ("Gluteus medius: high to low")."""
        return ORDERINGS[self.ordering]


@dataclass(frozen=True)
class PrimaryValue:
    """A %MVIC value of the primary study with how sure it is. CLINICAL.md: a value from one
    source only, or inferred from a review table, is shown as less certain (a marker and the
    note) wherever it is shown, never hidden."""

    value: Decimal
    confidence: str
    note: str = ""

    @property
    def less_certain(self) -> str:
        """The marker's words ("single source", "inferred"), empty for a certain value."""
        if self.confidence not in LESS_CERTAIN:
            return ""
        return str(Confidence(self.confidence).label).lower()

    @classmethod
    def of(cls, evidence: EvidenceValue) -> PrimaryValue:
        return cls(evidence.mvic_percent, evidence.confidence, evidence.note)


def primary_mvic(*, exercise_ids: Iterable[int]) -> dict[int, dict[str, PrimaryValue]]:
    """Each exercise's %MVIC per muscle in the primary study (Boren 2011), with its
    confidence and note, in one query.

    A muscle the study did not report is absent from the inner dict: show "not reported",
    never zero.
    """
    result: dict[int, dict[str, PrimaryValue]] = {}
    rows = EvidenceValue.objects.filter(
        exercise_id__in=list(exercise_ids), study__is_primary=True, clinic__isnull=True
    ).values_list("exercise_id", "muscle", "mvic_percent", "confidence", "note")
    for exercise_id, muscle, value, confidence, note in rows:
        result.setdefault(exercise_id, {})[muscle] = PrimaryValue(value, confidence, note)
    return result


def primary_of(exercise: Exercise, muscle: str) -> PrimaryValue | None:
    """The primary study's value for ``muscle`` among an exercise's prefetched
    ``visible_evidence`` (``exercise_library``): no query."""
    for evidence in getattr(exercise, "visible_evidence", ()):
        if evidence.muscle == muscle and evidence.study.is_primary and evidence.is_shared:
            return PrimaryValue.of(evidence)
    return None


def visible_evidence(*, user: User) -> QuerySet[EvidenceValue]:
    """Evidence the user may read, primary study first, with its study loaded."""
    return (
        EvidenceValue.objects.visible_to(user)
        .select_related("study", "exercise")
        .order_by("muscle", "-study__is_primary", "study__year", "study__short_name", "clinic_id")
    )


def _primary_value(muscle: str) -> Subquery:
    return Subquery(
        EvidenceValue.objects.filter(
            exercise_id=OuterRef("pk"), muscle=muscle, study__is_primary=True, clinic__isnull=True
        ).values("mvic_percent")[:1]
    )


def _json_list_has(field: str, item: str) -> Q:
    """Rows whose JSON list ``field`` holds the slug ``item``, on SQLite and PostgreSQL alike.

    SQLite has no JSON containment lookup, so match the quoted slug in the JSON text; items
    are validated slugs, so a quoted match is an exact element match.
    """
    return Q(**{f"{field}_text__contains": f'"{item}"'})


def _in_band(*, user: User, band: Band, muscle: str) -> Exists:
    """Exercises with at least one visible value, in any study, inside the band (the numbers
    ``Band.contains`` takes)."""
    values = EvidenceValue.objects.visible_to(user).filter(exercise_id=OuterRef("pk"))
    if band.low > 0:
        values = values.filter(mvic_percent__gt=band.low - 1)
    if band.high_before is not None:
        values = values.filter(mvic_percent__lte=band.high_before - 1)
    muscles = [muscle] if muscle else list(GLUTEAL_MUSCLES)
    return Exists(values.filter(muscle__in=muscles))


def _order(queryset: QuerySet[Exercise], ordering: str) -> QuerySet[Exercise]:
    name = ordering.lstrip("-")
    descending = ordering.startswith("-")
    if name == "name":
        key: OrderBy = Lower("name").desc() if descending else Lower("name").asc()
        return queryset.order_by(key, "pk")
    value = F(f"mvic_{name}")
    key = value.desc(nulls_last=True) if descending else value.asc(nulls_last=True)
    return queryset.order_by(key, Lower("name"), "pk")


def _filter(queryset: QuerySet[Exercise], user: User, f: LibraryFilters) -> QuerySet[Exercise]:
    if f.q:
        queryset = queryset.filter(Q(name__icontains=f.q) | Q(aliases_text__icontains=f.q))
    if f.muscle:
        queryset = queryset.filter(_json_list_has("target_muscles", f.muscle))
    if f.position:
        queryset = queryset.filter(position=f.position)
    if f.equipment == NO_EQUIPMENT:
        queryset = queryset.filter(Q(**{"equipment_text": "[]"}))
    elif f.equipment:
        queryset = queryset.filter(_json_list_has("equipment", f.equipment))
    if f.band is not None:
        queryset = queryset.filter(_in_band(user=user, band=f.band, muscle=f.muscle))
    return queryset


def exercise_library(*, user: User, filters: LibraryFilters) -> QuerySet[Exercise]:
    """The exercises the user may see, filtered and ordered, with their visible evidence.

    Each exercise carries ``mvic_gluteus_medius`` / ``mvic_gluteus_maximus`` (the shared
    Boren 2011 value, None when not reported) and ``visible_evidence`` (a list), in two queries.
    """
    queryset = Exercise.objects.visible_to(user).annotate(
        aliases_text=Cast("aliases", TextField()),
        equipment_text=Cast("equipment", TextField()),
        target_muscles_text=Cast("target_muscles", TextField()),
        **{f"mvic_{m}": _primary_value(m) for m in GLUTEAL_MUSCLES},
    )
    queryset = _filter(queryset, user, filters)
    queryset = queryset.prefetch_related(
        Prefetch("evidence", queryset=visible_evidence(user=user), to_attr="visible_evidence")
    )
    return _order(queryset, filters.ordering)


def exercise_for_page(*, user: User) -> QuerySet[Exercise]:
    """Exercises the user may see, each with its visible evidence and the ladders using it."""
    ladders = LadderLevel.objects.filter(
        Q(ladder__clinic__isnull=True) | Q(ladder__clinic_id=user.clinic_id)
    ).select_related("ladder")
    return Exercise.objects.visible_to(user).prefetch_related(
        Prefetch("evidence", queryset=visible_evidence(user=user), to_attr="visible_evidence"),
        Prefetch("ladder_levels", queryset=ladders, to_attr="visible_ladder_levels"),
    )


def evidence_list(
    *,
    user: User,
    exercise_public_id: str = "",
    study_key: str = "",
    muscle: str = "",
    confidence: str = "",
) -> QuerySet[EvidenceValue]:
    """Visible evidence, optionally narrowed; arguments are validated by the caller."""
    queryset = visible_evidence(user=user).order_by("exercise__name", "muscle", "study__key", "pk")
    if exercise_public_id:
        queryset = queryset.filter(exercise__public_id=exercise_public_id)
    if study_key:
        queryset = queryset.filter(study__key=study_key)
    if muscle:
        queryset = queryset.filter(muscle=muscle)
    if confidence:
        queryset = queryset.filter(confidence=confidence)
    return queryset


def visible_studies(*, user: User) -> QuerySet[Study]:
    return Study.objects.visible_to(user).order_by("-is_primary", "year", "short_name")


def ladders_with_levels(*, user: User) -> QuerySet[Ladder]:
    """Ladders the user may see with levels, their exercises and visible evidence prefetched."""
    levels = LadderLevel.objects.select_related("exercise").prefetch_related(
        Prefetch(
            "exercise__evidence", queryset=visible_evidence(user=user), to_attr="visible_evidence"
        )
    )
    shared_first = Case(When(clinic__isnull=True, then=Value(0)), default=Value(1))
    return (
        Ladder.objects.visible_to(user)
        .prefetch_related(Prefetch("levels", queryset=levels.order_by("level")))
        .order_by(shared_first, Lower("name"), "pk")
    )


def primary_values(evidence: Iterable[EvidenceValue]) -> dict[str, EvidenceValue]:
    """The shared primary-study value per muscle from already-loaded evidence."""
    return {
        value.muscle: value
        for value in evidence
        if value.clinic_id is None and value.study.is_primary
    }


def muscle_label(muscle: str) -> str:
    return str(Muscle(muscle).label) if muscle in Muscle.values else muscle


def primary_study() -> Study | None:
    """The shared library's primary study (Boren 2011), or None before the library is loaded."""
    return Study.objects.filter(is_primary=True, clinic__isnull=True).first()


def ladder_in_use(ladder: Ladder | None) -> bool:
    """Whether any program (a template included) has the ladder. From then on which exercise
    each of its levels is stays fixed, wherever the ladder is changed (the clinic's ladder
    page, Django admin, ``load_library``): a patient's level would silently become another
    exercise, and the stored daily totals, the prompts and the logs name it by its level.
    Its advance rules, name and description may still change."""
    return ladder is not None and ladder.pk is not None and ladder.program_items.exists()


def ladder_programs_using(ladder: Ladder) -> int:
    """How many programs (templates included) have the ladder, for a refusal to name."""
    return ladder.program_items.values("program_id").distinct().count()
