"""Prescriptions: programs and their items, schedules, ladder levels and progression prompts.

A *template* is a clinic program with no patient. Assigning a template copies it into a
program of the patient's own, so editing a template never changes a patient's prescription,
and set logs copy the prescription they were done against.

The models live in modules by concern (``programs``, ``patient_logs``, ``ladders``); import
them from here, ``from apps.programs.models import SetLog``, as Django and the migrations do.
"""

from apps.programs.models.ladders import (
    FIRST_STAY,
    LevelChange,
    ProgressionPrompt,
    ProgressionPromptQuerySet,
    PromptStatus,
)
from apps.programs.models.patient_logs import (
    Compared,
    DailyTotal,
    MorningCheck,
    SetLog,
    SetLogQuerySet,
)
from apps.programs.models.programs import (
    ALL_WEEKDAYS,
    Program,
    ProgramItem,
    ProgramItemQuerySet,
    ProgramQuerySet,
)

__all__ = [
    "ALL_WEEKDAYS",
    "FIRST_STAY",
    "Compared",
    "DailyTotal",
    "LevelChange",
    "MorningCheck",
    "Program",
    "ProgramItem",
    "ProgramItemQuerySet",
    "ProgramQuerySet",
    "ProgressionPrompt",
    "ProgressionPromptQuerySet",
    "PromptStatus",
    "SetLog",
    "SetLogQuerySet",
]
