"""The one-page handout a therapist prints for a patient: their program and a QR code of
their personal link. Built with reportlab; the QR code comes from segno.

The handout never prints the year of birth: it only says the link will ask for it, so a lost
sheet alone does not open the patient's account.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from html import escape as html_escape

import segno
from django.db.models import Prefetch
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Image,
    KeepInFrame,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from apps.exercises.illustrations import illustration_for, specs
from apps.exercises.illustrations.pdf import drawing
from apps.exercises.illustrations.scene import picture
from apps.exercises.models import Exercise, LadderLevel
from apps.patients.models import HipPrecaution, Patient
from apps.patients.selectors import precautions_in_force
from apps.programs.builder import weekday_summary
from apps.programs.doses import dose_summary
from apps.programs.models import Program, ProgramItem
from apps.programs.selectors import allowed

MARGIN = 15 * mm
QR_SIZE = 45 * mm


@dataclass(frozen=True)
class HandoutLine:
    name: str
    dose: str
    notes: str
    exercise: Exercise | None = None  # whose drawing the line shows, if it has one


@dataclass(frozen=True)
class HandoutProgram:
    name: str
    schedule: str
    lines: list[HandoutLine]


def handout_programs(*, patient: Patient, today: date) -> list[HandoutProgram]:
    """The patient's assigned programs that have not ended, with the items Today shows them
    (4 queries): an exercise the hip precautions hold back is left off the paper too."""
    items = ProgramItem.objects.current(on=today).select_related("exercise", "ladder")
    programs: list[Program] = list(
        patient.programs.filter(is_template=False, is_active=True)
        .exclude(end_date__lt=today)
        .order_by("start_date", "pk")
        .prefetch_related(Prefetch("items", queryset=items, to_attr="current_items"))
    )
    ladder_ids = {i.ladder_id for p in programs for i in _current(p) if i.ladder_id}
    levels = {
        (row.ladder_id, row.level): row.exercise
        for row in LadderLevel.objects.filter(ladder_id__in=ladder_ids).select_related("exercise")
    }
    precautions = precautions_in_force(patient=patient, on=today) if programs else []
    return [_program(program, levels, today, precautions) for program in programs]


def escape(text: str) -> str:
    """Escape text for reportlab's paragraph markup (&, < and >)."""
    return html_escape(text, quote=False)


def _current(program: Program) -> list[ProgramItem]:
    return list(getattr(program, "current_items", []))


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


Levels = dict[tuple[int, int], Exercise]


def _item_exercise(item: ProgramItem, levels: Levels, today: date) -> Exercise | None:
    if item.ladder is None:
        return item.exercise
    return levels.get((item.ladder.pk, item.level_on(today) or 1))


def _may_do(item: ProgramItem, exercise: Exercise | None, precautions: list[HipPrecaution]) -> bool:
    """Today's rule (``selectors.allowed``), so paper and phone list the same exercises."""
    return exercise is None or allowed(item, exercise, precautions)


def _item_name(item: ProgramItem, levels: Levels, today: date) -> str:
    if item.ladder is None:
        return item.exercise.name if item.exercise is not None else ""
    level = item.level_on(today) or 1
    exercise = levels.get((item.ladder.pk, level))
    return f"{exercise.name if exercise else item.ladder.name} (level {level})"


def _program(
    program: Program, levels: Levels, today: date, precautions: list[HipPrecaution]
) -> HandoutProgram:
    lines = [
        HandoutLine(
            _item_name(item, levels, today),
            dose_summary(item),
            item.notes,
            _item_exercise(item, levels, today),
        )
        for item in _current(program)
        if _may_do(item, _item_exercise(item, levels, today), precautions)
    ]
    schedule = weekday_summary(program)
    if program.start_date:
        schedule += f", from {_long_date(program.start_date)}"
    if program.end_date:
        schedule += f" to {_long_date(program.end_date)}"
    return HandoutProgram(program.name, schedule, lines)


def _qr_image(url: str) -> Image:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return Image(buffer, width=QR_SIZE, height=QR_SIZE)


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], alignment=0, fontSize=20),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], spaceBefore=8),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=11, leading=15),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=9, leading=12),
        "link": ParagraphStyle("link", parent=base["Code"], fontSize=8, leading=10, leftIndent=0),
    }


PICTURE_WIDTH = 62 * mm


def _picture(line: HandoutLine) -> Flowable | str:
    """The line's drawn start and end positions, the same drawing as on the pages."""
    found = illustration_for(line.exercise)
    if found is None:
        return ""
    return drawing(picture(specs()[found.key]), width=PICTURE_WIDTH)


def _program_table(program: HandoutProgram, styles: dict[str, ParagraphStyle]) -> Table:
    rows = [
        [
            Paragraph("<b>Exercise</b>", styles["body"]),
            Paragraph("<b>How it looks</b>", styles["body"]),
            Paragraph("<b>Dose</b>", styles["body"]),
        ]
    ]
    for line in program.lines:
        name = escape(line.name) + (f"<br/><i>{escape(line.notes)}</i>" if line.notes else "")
        dose = Paragraph(escape(line.dose), styles["body"])
        rows.append([Paragraph(name, styles["body"]), _picture(line), dose])
    table = Table(rows, colWidths=[55 * mm, PICTURE_WIDTH + 4 * mm, 54 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _link_block(url: str, styles: dict[str, ParagraphStyle]) -> Table:
    text = [
        Paragraph("<b>Open your exercises on your phone</b>", styles["body"]),
        Paragraph("Point your phone's camera at the code, or type this link:", styles["small"]),
        Paragraph(escape(url), styles["link"]),
        Paragraph(
            "The first time, the link asks for your <b>year of birth</b>. "
            "Keep this sheet private: it is your own way in.",
            styles["small"],
        ),
    ]
    block = Table([[_qr_image(url), text]], colWidths=[QR_SIZE + 5 * mm, None])
    block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return block


def handout_pdf(*, patient: Patient, programs: list[HandoutProgram], link_url: str) -> bytes:
    """A one-page A4 PDF: greeting, each program with its doses and schedule, the QR code and
    the link as text. Long programs are shrunk to fit the page."""
    styles = _styles()
    first_name = patient.full_name.split()[0] if patient.full_name.strip() else "there"
    story: list[Flowable] = [
        Paragraph(f"Hello {escape(first_name)}", styles["title"]),
        Paragraph(
            f"Your home exercise program from {escape(patient.clinic.name)}. "
            "Work within a comfortable range and log each set with your pain score.",
            styles["body"],
        ),
        Spacer(1, 4 * mm),
        _link_block(link_url, styles),
    ]
    for program in programs:
        story += [
            Paragraph(escape(program.name), styles["h2"]),
            Paragraph(f"Exercise days: {escape(program.schedule)}", styles["body"]),
            Spacer(1, 2 * mm),
            _program_table(program, styles),
        ]
    if not programs:
        story.append(Paragraph("Your therapist will add your exercises soon.", styles["body"]))
    return _build(story)


def _build(story: list[Flowable]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title="Your exercise program", author="Clamshell",
    )  # fmt: skip
    # KeepInFrame(shrink) scales everything down rather than spill onto a second page.
    frame = KeepInFrame(doc.width, doc.height, story, mode="shrink")
    doc.build([frame])
    return buffer.getvalue()
