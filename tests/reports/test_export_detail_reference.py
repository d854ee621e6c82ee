"""The detailed export's bytes are those clinics received before the export was rewritten.

``fixtures/detail_export_reference.csv`` was written by the previous implementation (the
row-by-row COPY, checked equal to the Python writer) from ``tricky_clinic``'s data; every
writer must still produce it byte for byte.
"""

from io import BytesIO
from pathlib import Path

import pytest

from apps.reports.exports.write import write_report
from tests.reports.detail_data import tricky_clinic

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).parent / "fixtures" / "detail_export_reference.csv"


def test_the_detailed_export_is_the_reference_file_byte_for_byte(admin_a):
    filters = tricky_clinic(admin_a)
    out = BytesIO()

    write_report(user=admin_a, filters=filters, kind="detail", format="csv", out=out)

    assert out.getvalue() == REFERENCE.read_bytes()
