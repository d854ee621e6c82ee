"""``load_library`` keeps the rule Django admin and the clinic's ladder pages keep
(``ladder_services.ladder_in_use``): once a program has a ladder, which exercise each of its
levels is stays fixed, so a patient's level never silently becomes another exercise (the
stored daily totals, the prompts and the logs name it by its level). A reload that would
change such a ladder's levels is refused whole, naming the ladder and how many programs use
it, with nothing written; its advance rules, name and description may still change, and a
new version of it under a new key loads beside it."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.exercises.loading import DATA_DIR, LadderInUseError, library_load
from apps.exercises.models import Exercise, Ladder
from tests.factories import LadderItemFactory, ProgramFactory, TemplateProgramFactory

CLAMSHELL_LEVELS = 'levels = ["clam-1", "clam-2", "clam-3", "clam-4"]'


def _data(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of the library's data files with ``replacements`` made in ``library.toml``."""
    for name in ("movements.toml", "emg_evidence.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    text = (DATA_DIR / "library.toml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    (tmp_path / "library.toml").write_text(text, encoding="utf-8")
    return tmp_path


def _levels(key: str) -> list[str]:
    ladder = Ladder.objects.get(key=key, clinic=None)
    return list(ladder.levels.order_by("level").values_list("exercise__key", flat=True))


@pytest.fixture
def in_use(library):
    """The clamshell ladder in two patients' programs (one item each) and a template."""
    ladder = Ladder.objects.get(key="clamshell-boren-2011", clinic=None)
    first = LadderItemFactory(ladder=ladder, current_level=3)
    LadderItemFactory(program=first.program, ladder=ladder, current_level=1)  # same program
    LadderItemFactory(ladder=ladder, current_level=2, program=ProgramFactory())
    LadderItemFactory(ladder=ladder, program=TemplateProgramFactory())
    return ladder


CLAM_SUMMARY = (
    'summary = "The first rung of the clamshell ladder: a side-lying turn-out of the top hip."'
)


def test_a_reload_that_changes_the_levels_of_a_ladder_in_use_is_refused_whole(in_use, tmp_path):
    data = _data(
        tmp_path,
        (CLAM_SUMMARY, 'summary = "Changed in the same reload."'),
        (CLAMSHELL_LEVELS, 'levels = ["clam-1", "clam-2", "clam-4", "clam-3"]'),
    )
    with pytest.raises(LadderInUseError) as refused:
        library_load(data_dir=data)
    message = str(refused.value)
    assert "Clamshell (Boren 2011)" in message
    assert "clamshell-boren-2011" in message
    assert "3 programs" in message
    assert "new key" in message
    # Nothing half-written: neither the ladder nor anything else loaded before it.
    assert _levels("clamshell-boren-2011") == ["clam-1", "clam-2", "clam-3", "clam-4"]
    assert Exercise.objects.get(key="clam-1", clinic=None).summary.startswith("The first rung")


@pytest.mark.parametrize(
    "levels",
    [
        '["clam-1", "clam-2", "clam-3"]',  # a level taken away
        '["clam-1", "clam-2", "clam-3", "clam-4", "reverse-clam-band"]',  # a level added
    ],
)
def test_taking_away_or_adding_a_level_of_a_ladder_in_use_is_refused(in_use, tmp_path, levels):
    data = _data(tmp_path, (CLAMSHELL_LEVELS, f"levels = {levels}"))
    with pytest.raises(LadderInUseError, match="Clamshell"):
        library_load(data_dir=data)
    assert _levels("clamshell-boren-2011") == ["clam-1", "clam-2", "clam-3", "clam-4"]


def test_the_command_names_the_ladder_and_its_programs_and_fails(in_use, tmp_path):
    data = _data(tmp_path, (CLAMSHELL_LEVELS, 'levels = ["clam-1", "clam-3"]'))
    with pytest.raises(CommandError) as refused:
        call_command("load_library", data_dir=str(data), stdout=io.StringIO())
    assert "“Clamshell (Boren 2011)” (clamshell-boren-2011) is used by 3 programs" in str(
        refused.value
    )
    assert "Nothing was loaded" in str(refused.value)
    # manage.py exits with it: the operator's shell (or deploy script) sees the failure.
    assert refused.value.returncode != 0
    assert _levels("clamshell-boren-2011") == ["clam-1", "clam-2", "clam-3", "clam-4"]


def test_a_reload_with_the_same_levels_loads_while_the_ladder_is_in_use(in_use, tmp_path):
    """The advance rule, the name and the description are not the levels: they may change,
    as Django admin and the clinic's ladder page let them."""
    data = _data(
        tmp_path,
        ('name = "Clamshell (Boren 2011)"', 'name = "Clamshell, Boren 2011"'),
        (CLAMSHELL_LEVELS, CLAMSHELL_LEVELS + '\nlevel_rules = { "clam-4" = { days = 2 } }'),
    )
    report = library_load(data_dir=data)
    assert report.get("ladders", "updated") == 1
    in_use.refresh_from_db()
    assert in_use.name == "Clamshell, Boren 2011"
    assert in_use.levels.get(level=4).advance_days == 2
    assert _levels("clamshell-boren-2011") == ["clam-1", "clam-2", "clam-3", "clam-4"]


def test_a_reload_of_unchanged_files_loads_while_ladders_are_in_use(in_use):
    out = io.StringIO()
    call_command("load_library", stdout=out)
    assert "up to date" in out.getvalue()


def test_a_ladder_no_program_uses_may_change_its_levels(library, tmp_path):
    data = _data(tmp_path, (CLAMSHELL_LEVELS, 'levels = ["clam-1", "clam-3", "clam-4"]'))
    library_load(data_dir=data)
    assert _levels("clamshell-boren-2011") == ["clam-1", "clam-3", "clam-4"]


def test_a_new_version_under_a_new_key_loads_beside_the_ladder_in_use(in_use, tmp_path):
    """What the README tells an operator to do: keep the ladder in use as it is, and give
    the new levels a ladder of their own."""
    version = (
        '\n[[ladders]]\nkey = "clamshell-boren-2011-v2"\nname = "Clamshell (Boren 2011), v2"\n'
        'advance_at_reps = 20\nlevels = ["clam-1", "clam-3", "clam-4"]\n'
    )
    data = _data(tmp_path, (CLAMSHELL_LEVELS, CLAMSHELL_LEVELS + "\n" + version))
    library_load(data_dir=data)
    assert _levels("clamshell-boren-2011") == ["clam-1", "clam-2", "clam-3", "clam-4"]
    assert _levels("clamshell-boren-2011-v2") == ["clam-1", "clam-3", "clam-4"]
    assert in_use.program_items.count() == 4
