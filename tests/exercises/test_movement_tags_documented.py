"""The README lists every library exercise's hip movement tags, as movements.toml has them."""

import re
import tomllib
from pathlib import Path

from apps.core.hip import movement_labels
from apps.exercises.loading import DATA_DIR

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_table_matches_movements_toml():
    movements = tomllib.loads((DATA_DIR / "movements.toml").read_text(encoding="utf-8"))
    rows = {
        match["key"]: match["tags"]
        for match in re.finditer(
            r"^\| .+ \(`(?P<key>[a-z0-9-]+)`\) \| (?P<tags>[^|]+) \|", README.read_text(), re.M
        )
    }
    for key, entry in movements.items():
        expected = ", ".join(label.lower() for label in movement_labels(entry["movements"]))
        assert rows.get(key, "").strip().lower() == (expected or "none"), key
