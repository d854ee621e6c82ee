import csv
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command

CSV_PATH = settings.BASE_DIR / "apps" / "exercises" / "data" / "emg_evidence.csv"


@pytest.fixture
def library(db):
    """The shared library, loaded the way `make run` loads it."""
    call_command("load_library", stdout=io.StringIO())


@pytest.fixture
def csv_rows():
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["mvic_percent"] = Decimal(row["mvic_percent"])
    return rows
