"""US remote therapeutic monitoring (RTM) codes, shown beside the summary ONLY as a guide:
the clinic decides what to bill. Carried over from research/outcomes.md §4 (secondary
summaries of the CY 2026 Physician Fee Schedule final rule)."""

from __future__ import annotations

SOURCE = (
    "CY 2026 Physician Fee Schedule final rule (CMS-1832-F), released 31 Oct 2025, published "
    "5 Nov 2025 at 90 FR 49266, in effect from 1 Jan 2026"
)
SOURCE_DATE = "2026-01-01"
DISCLAIMER = "A guide only: the clinic decides what to bill."

CODES: list[tuple[str, str]] = [
    ("98985", "Device supply, musculoskeletal: 2-15 days of data in a 30-day period (new 2026)"),
    ("98977", "Device supply, musculoskeletal: 16-30 days of data in a 30-day period"),
    ("98979", "Treatment management, first 10 minutes in a calendar month; needs at least one "
              "real-time interactive communication in the month (new 2026)"),
    ("98980", "Treatment management, first 20 minutes in a calendar month; needs at least one "
              "interactive communication in the month"),
    ("98981", "Each additional 20 minutes (add-on to 98980; full 20-minute blocks)"),
    ("98975", "Initial set-up and patient education, once per episode of care"),
]  # fmt: skip


def device_code(data_days: int) -> str:
    """The device-supply code the period's day count points to (98985 and 98977 are never
    billed for the same 30-day period)."""
    if data_days >= 16:
        return "98977"
    if data_days >= 2:
        return "98985"
    return ""


def management_codes(minutes: int, live: bool) -> str:
    """The management codes the month's minutes point to; none without a live contact."""
    if not live or minutes < 10:
        return ""
    if minutes < 20:
        return "98979"
    extra = (minutes - 20) // 20
    return "98980" + (f" + 98981 x{extra}" if extra else "")
