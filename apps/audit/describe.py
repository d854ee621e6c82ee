"""The audit log's Record column in words: "Logged set · Clamshell level 2 · patient ref 4F2A".

An entry stores only a record's type and reference; the words are looked up from the record
as it is now, when the page is drawn, so the log itself never holds health data. A record
deleted since (an erased patient's sets) is named by its type alone. Models are looked up by
their label, so this module imports no app above the audit log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Model

from apps.audit.models import AuditEntry

SEPARATOR = " \N{MIDDLE DOT} "


@dataclass(frozen=True)
class RecordKind:
    """What people call one kind of record, how to name one of them, and what to load."""

    noun: str
    name: Callable[[Any], str] = lambda record: ""
    related: tuple[str, ...] = ()


def _level(ladder: Any, level: int | None) -> str:
    return f"{ladder.name} level {level}" if ladder is not None and level else ""


def _set_log(log: Any) -> str:
    ladder = getattr(log.item, "ladder", None) if log.item_id else None
    by_level = _level(ladder, log.ladder_level)
    return by_level or (log.exercise.name if log.exercise_id else "")


def _item(item: Any) -> str:
    if item.ladder_id:
        return _level(item.ladder, item.current_level)
    return item.exercise.name if item.exercise_id else ""


def _prompt(prompt: Any) -> str:
    ladder = prompt.item.ladder
    where = ladder.name if ladder is not None else "ladder"
    if prompt.next_level is None:
        return f"{where}, top level {prompt.level}"
    return f"{where}, level {prompt.level} to {prompt.next_level}"


KINDS: dict[str, RecordKind] = {
    "patients.Patient": RecordKind("Patient record"),
    "programs.SetLog": RecordKind("Logged set", _set_log, ("item__ladder", "exercise")),
    "programs.Program": RecordKind(
        "Program", lambda p: p.name if not p.is_template else f"template {p.name}"
    ),
    "programs.ProgramItem": RecordKind("Program exercise", _item, ("ladder", "exercise")),
    "programs.ProgressionPrompt": RecordKind("Progression prompt", _prompt, ("item__ladder",)),
    "programs.LevelChange": RecordKind("Level change"),
    "notifications.PainAlert": RecordKind("Pain alert"),
    "notifications.Reminder": RecordKind("Reminder"),
    "clinics.Clinic": RecordKind("Clinic", lambda clinic: clinic.name),
    "clinics.User": RecordKind("Staff account", lambda u: u.full_name or u.email or ""),
    "clinics.ApiToken": RecordKind(
        "API token",
        lambda t: f"{t.name}, acting as {t.user.full_name or t.user.email}",
        ("user",),
    ),
    "reports.ReportJob": RecordKind(
        "Report file", lambda job: f"{job.get_kind_display()}, {job.get_format_display()}"
    ),
}


# Entries written before set logs moved from the patients app to programs name the old label;
# the table and its rows are the same, so both labels read alike.
MOVED_LABELS = {"patients.SetLog": "programs.SetLog"}


def short_ref(ref: str) -> str:
    """The first four characters of a reference, as staff read it aloud: '4F2A'."""
    return ref.replace("-", "")[:4].upper()


def _kind(label: str) -> RecordKind:
    label = MOVED_LABELS.get(label, label)
    known = KINDS.get(label)
    if known is not None:
        return known
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return RecordKind("Record")
    return RecordKind(str(model._meta.verbose_name).capitalize())


def _load(label: str, refs: set[str]) -> dict[str, Model]:
    """The records of one type named by ``refs``, keyed by reference: one query."""
    label = MOVED_LABELS.get(label, label)
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return {}
    has_public_id = any(f.name == "public_id" for f in model._meta.fields)
    key = "public_id" if has_public_id else "pk"
    if not has_public_id:
        refs = {ref for ref in refs if ref.isdigit()}
    rows = model._default_manager.filter(**{f"{key}__in": refs})
    related = KINDS[label].related if label in KINDS else ()
    if related:
        rows = rows.select_related(*related)
    return {str(getattr(row, key)): row for row in rows}


def describe_records(entries: Iterable[AuditEntry]) -> dict[int, str]:
    """Each entry's Record text, by entry id, in one query per type of record on the page."""
    entries = list(entries)
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.target_type and entry.target_ref:
            wanted[entry.target_type].add(entry.target_ref)
    found = {label: _load(label, refs) for label, refs in wanted.items()}
    return {entry.pk: _describe(entry, found) for entry in entries if entry.target_type}


def _describe(entry: AuditEntry, found: dict[str, dict[str, Model]]) -> str:
    kind = _kind(entry.target_type)
    record = found.get(entry.target_type, {}).get(entry.target_ref)
    parts = [kind.noun]
    if record is None:
        parts.append("since deleted")
    elif name := kind.name(record):
        parts.append(name)
    if entry.patient_ref and entry.target_type != "patients.Patient":
        parts.append(f"patient ref {short_ref(entry.patient_ref)}")
    elif entry.target_type == "patients.Patient":
        parts.append(f"ref {short_ref(entry.target_ref)}")
    return SEPARATOR.join(parts)
