"""A detail longer than the audit log holds is cut sensibly: whole parts kept, then "…"
(``detail_fit``), never cut mid-word without saying so."""

import pytest

from apps.audit.models import Action
from apps.audit.services import DETAIL_MAX, audit_record, detail_fit

ELLIPSIS = "\N{HORIZONTAL ELLIPSIS}"


def test_parts_that_fit_are_joined_whole():
    assert detail_fit(["removed Bridge", "order changed"]) == "removed Bridge; order changed"


def test_parts_beyond_the_limit_are_left_out_with_an_ellipsis():
    parts = [f"added Exercise number {n} (2 sets of 10 reps per side)" for n in range(10)]

    detail = detail_fit(parts)

    assert len(detail) <= DETAIL_MAX
    assert detail.startswith(f"{parts[0]}; {parts[1]}; ")
    assert detail.endswith(f"; {ELLIPSIS}")
    assert all(part in parts for part in detail.split("; ")[:-1])


def test_one_part_too_long_alone_is_cut_at_a_word():
    text = "renamed " + "Hip strength " * 30

    detail = detail_fit([text])

    assert len(detail) <= DETAIL_MAX
    kept = detail.removesuffix(ELLIPSIS)
    assert text.startswith(kept)
    assert text[len(kept)] == " "


@pytest.mark.django_db
def test_a_long_detail_is_stored_within_the_limit_with_an_ellipsis(therapist_a, patient_a):
    entry = audit_record(
        actor=therapist_a, action=Action.CHANGE, patient=patient_a, detail="word " * 100
    )

    assert len(entry.detail) <= DETAIL_MAX
    assert entry.detail.endswith(f"word{ELLIPSIS}")
