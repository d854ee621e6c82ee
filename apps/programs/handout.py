"""The handout a therapist prints for a patient: their program, one block per exercise (its
drawn start and end positions, the clinic's photo when it has one, the dose, which side, the
ladder goal, the steps and cautions), and a QR code of their personal link. Built with
reportlab; the QR code comes from segno.

Large type and black ink: a patient reads it at home, often on a black-and-white print. A4 or
US Letter. The handout never prints the year of birth: it only says the link will ask for it,
so a lost sheet alone does not open the patient's account.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, time
from html import escape as html_escape
from typing import Any

import segno
from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from apps.exercises.illustrations import illustration_for, specs
from apps.exercises.illustrations.pdf import drawing
from apps.exercises.illustrations.scene import picture
from apps.exercises.models import AdvanceRule, Exercise, LadderLevel
from apps.media.selectors import first_media
from apps.patients.models import HipPrecaution, Patient
from apps.patients.selectors import precautions_in_force
from apps.programs.builder import weekday_summary
from apps.programs.doses import dose_summary, hold_top
from apps.programs.models import Program, ProgramItem
from apps.programs.precautions import CHECKED_FOR_PATIENT
from apps.programs.selectors import allowed

MARGIN = 16 * mm
QR_SIZE = 42 * mm
# Large enough to read the start and end positions from across a room, small enough for two
# exercises on a page.
DRAWING_MAX_WIDTH = 125 * mm
PAPERS = {"a4": A4, "letter": LETTER}
PAPER_NAMES = {"a4": "A4", "letter": "US Letter"}
FOOTER_STYLE = ParagraphStyle("footer", fontName="Helvetica", fontSize=8.5, leading=10.5)
FOOTER_BOTTOM = MARGIN - 4 * mm
PAGE_LABEL_WIDTH = 18 * mm  # room for "Page 12" beside the footer's lines


def default_paper() -> str:
    """US Letter where the app speaks US English, A4 everywhere else."""
    return "letter" if settings.LANGUAGE_CODE == "en-us" else "a4"


@dataclass(frozen=True)
class HandoutLine:
    name: str
    dose: str
    notes: str
    exercise: Exercise | None = None  # whose drawing, steps and cautions the block shows
    side: str = ""
    level: str = ""  # "Level 2 of 4 of Clamshell"
    goal: str = ""  # a ladder level's target to move up
    photo: str = ""  # storage name of the clinic's first photo, print size
    checked: bool = False  # prescribed with an override of the hip precautions


@dataclass(frozen=True)
class HandoutProgram:
    name: str
    schedule: str
    lines: list[HandoutLine] = field(default_factory=list)


Levels = dict[tuple[int, int], LadderLevel]


def handout_programs(*, patient: Patient, today: date) -> list[HandoutProgram]:
    """The patient's assigned programs that have not ended, with the items Today shows them
    and the clinic's first photo of each exercise (5 queries): an exercise the hip
    precautions hold back is left off the paper too."""
    items = ProgramItem.objects.in_force(on=today).select_related("exercise", "ladder")
    programs: list[Program] = list(
        patient.programs.filter(is_template=False, is_active=True)
        .exclude(end_date__lt=today)
        .order_by("start_date", "pk")
        .prefetch_related(Prefetch("items", queryset=items, to_attr="current_items"))
    )
    ladder_ids = {i.ladder_id for p in programs for i in _current(p) if i.ladder_id}
    levels = {
        (row.ladder_id, row.level): row
        for row in LadderLevel.objects.filter(ladder_id__in=ladder_ids).select_related(
            "exercise", "ladder"
        )
    }
    exercises = [_item_exercise(i, levels, today) for p in programs for i in _current(p)]
    media = first_media(
        clinic_id=patient.clinic_id, exercise_ids=[e.pk for e in exercises if e is not None]
    )
    photos = {pk: kinds["photo"].print for pk, kinds in media.items() if "photo" in kinds}
    precautions = precautions_in_force(patient=patient, on=today) if programs else []
    context = _Context(
        levels, today, photos, patient.clinic.pain_progression_limit, precautions,
        own_reminder_time=patient.reminder_time, reminders_enabled=patient.reminders_enabled,
    )  # fmt: skip
    return [_program(program, context) for program in programs]


@dataclass(frozen=True)
class _Context:
    levels: Levels
    today: date
    photos: dict[int, str]
    pain_limit: int
    precautions: list[HipPrecaution]
    # The patient's own reminder time (None: none, or reminders off): it comes before a
    # program's (``patients_due_for_reminder``), so the paper names the one that applies.
    own_reminder_time: time | None = None
    reminders_enabled: bool = True


def escape(text: str) -> str:
    """Escape text for reportlab's paragraph markup (&, < and >)."""
    return html_escape(text, quote=False)


def _current(program: Program) -> list[ProgramItem]:
    return list(getattr(program, "current_items", []))


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _level_row(item: ProgramItem, levels: Levels, today: date) -> LadderLevel | None:
    if item.ladder is None:
        return None
    return levels.get((item.ladder.pk, item.level_on(today) or 1))


def _item_exercise(item: ProgramItem, levels: Levels, today: date) -> Exercise | None:
    if item.ladder is None:
        return item.exercise
    row = _level_row(item, levels, today)
    return row.exercise if row is not None else None


def _goal(row: LadderLevel, item: ProgramItem, pain_limit: int) -> str:
    """The level's target to move up, in the words Today uses."""
    target = row.target_for(row.ladder, hold_top(item))
    side = " on each side" if item.per_side else ""
    if row.advance_rule == AdvanceRule.HOLD:
        aim = f"When you can hold for {target} seconds in one set{side}"
    else:
        aim = f"When you can do {target} in one set{side}"
    return (
        f"{aim} with good form and pain no more than {pain_limit} out of 10, your therapist "
        "moves you up a level."
    )


def _side(item: ProgramItem, exercise: Exercise | None) -> str:
    """Which side, in the patient's words. "Each side" unticked means the sets are counted
    once: "both sides together (or no side)" as the exercise form says. For an exercise done
    on one leg (per side in the library) "both sides together" would tell the patient to
    lift both legs at once, so the paper says what the setting means instead."""
    if item.per_side:
        return "Do every set on each side: left, then right."
    if exercise is not None and not exercise.per_side:
        return "Both sides together."
    return "Not per side: each set counts once, done as your therapist showed you."


def _line(item: ProgramItem, context: _Context) -> HandoutLine:
    if item.ladder is None:
        exercise = item.exercise
        side = _side(item, exercise)
        return HandoutLine(
            name=exercise.name if exercise is not None else "",
            dose=dose_summary(item),
            notes=item.notes,
            exercise=exercise,
            side=side,
            photo=context.photos.get(exercise.pk, "") if exercise is not None else "",
            checked=bool(item.precaution_override),
        )
    level = item.level_on(context.today) or 1
    row = _level_row(item, context.levels, context.today)
    exercise = row.exercise if row is not None else None
    side = _side(item, exercise)
    count = max((lv for lid, lv in context.levels if lid == item.ladder.pk), default=level)
    return HandoutLine(
        name=f"{exercise.name if exercise else item.ladder.name} (level {level})",
        dose=dose_summary(item),
        notes=item.notes,
        exercise=exercise,
        side=side,
        level=f"Level {level} of {count} of {item.ladder.name}",
        goal=_goal(row, item, context.pain_limit) if row is not None else "",
        photo=context.photos.get(exercise.pk, "") if exercise else "",
        checked=bool(item.precaution_override),
    )


def _may_do(item: ProgramItem, context: _Context) -> bool:
    """Today's rule (``selectors.allowed``), so paper and phone list the same exercises."""
    exercise = _item_exercise(item, context.levels, context.today)
    return exercise is None or allowed(item, exercise, context.precautions)


def _program(program: Program, context: _Context) -> HandoutProgram:
    schedule = weekday_summary(program)
    if program.start_date:
        schedule += f", from {_long_date(program.start_date)}"
    if program.end_date:
        schedule += f" to {_long_date(program.end_date)}"
    remind_at = context.own_reminder_time or program.reminder_time
    if context.reminders_enabled and remind_at:
        schedule += f"; reminder at {remind_at:%H:%M}"
    lines = [_line(item, context) for item in _current(program) if _may_do(item, context)]
    return HandoutProgram(program.name, schedule, lines)


# --- Drawing the PDF ---------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=13, leading=18,
                          textColor=colors.black, spaceAfter=3)  # fmt: skip
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontName="Helvetica-Bold", fontSize=24, leading=29, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName="Helvetica-Bold", fontSize=19, leading=24, spaceBefore=10
        ),
        "h3": ParagraphStyle(
            "h3", parent=body, fontName="Helvetica-Bold", fontSize=16, leading=20, spaceBefore=4
        ),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=11, leading=15),
        "link": ParagraphStyle(
            "link", parent=body, fontName="Courier-Bold", fontSize=10, leading=13
        ),
    }


def _qr_image(url: str) -> Image:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return Image(buffer, width=QR_SIZE, height=QR_SIZE)


def _link_block(url: str, styles: dict[str, ParagraphStyle], width: float) -> Table:
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
    block = Table([[_qr_image(url), text]], colWidths=[QR_SIZE + 5 * mm, width - QR_SIZE - 5 * mm])
    block.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 1, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return block


def _photo(name: str, width: float, height: float) -> Flowable | None:
    """The clinic's photo scaled into ``width`` x ``height``; None if it cannot be read."""
    try:
        with default_storage.open(name, "rb") as handle:
            data = io.BytesIO(handle.read())
    except OSError:
        return None
    image = Image(data)
    scale = min(width / image.imageWidth, height / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    return image


def _pictures(line: HandoutLine, width: float) -> Flowable | None:
    found = illustration_for(line.exercise)
    photo_width = 45 * mm if line.photo else 0
    cells: list[Any] = []
    if found is not None:
        drawn_width = min(width - photo_width - 4 * mm, DRAWING_MAX_WIDTH)
        cells.append(drawing(picture(specs()[found.key]), width=drawn_width))
    if line.photo:
        photo = _photo(line.photo, photo_width, 50 * mm)
        if photo is not None:
            cells.append(photo)
    if not cells:
        return None
    table = Table([cells])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    return table


def _steps(exercise: Exercise, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    if not exercise.steps:
        return []
    items = [ListItem(Paragraph(escape(step), styles["body"])) for step in exercise.steps]
    return [
        Paragraph("<b>How to do it</b>", styles["body"]),
        ListFlowable(items, bulletType="1", bulletFontSize=13, leftIndent=16),
    ]


def _block(line: HandoutLine, styles: dict[str, ParagraphStyle], width: float) -> Flowable:
    """One exercise, kept on one page."""
    parts: list[Flowable] = [
        HRFlowable(width="100%", thickness=1.2, color=colors.black, spaceAfter=4),
        Paragraph(escape(line.name), styles["h3"]),
    ]
    if line.level:
        parts.append(Paragraph(escape(line.level), styles["small"]))
    pictures = _pictures(line, width)
    if pictures is not None:
        parts.append(pictures)
    parts.append(Paragraph(f"<b>Dose:</b> {escape(line.dose)}", styles["body"]))
    parts.append(Paragraph(f"<b>Side:</b> {escape(line.side)}", styles["body"]))
    if line.goal:
        parts.append(Paragraph(f"<b>Goal:</b> {escape(line.goal)}", styles["body"]))
    if line.notes:
        parts.append(Paragraph(f"<b>From your therapist:</b> {escape(line.notes)}", styles["body"]))
    if line.exercise is not None:
        parts += _steps(line.exercise, styles)
        if line.exercise.cautions:
            caution = f"<b>Take care:</b> {escape(line.exercise.cautions)}"
            parts.append(Paragraph(caution, styles["body"]))
    if line.checked:
        parts.append(Paragraph(escape(CHECKED_FOR_PATIENT), styles["body"]))
    parts.append(Spacer(1, 4 * mm))
    return KeepTogether(parts)


def safety_note(pain_limit: int) -> str:
    """What Today says once a day and beside a painful set, for the paper the patient keeps
    (CLINICAL.md, safety and the pain-monitoring model): start only when cleared after a
    fracture or an operation, and pain above the clinic's hold-back level is too much."""
    return (
        "If you are recovering from a fracture or an operation, start these exercises only "
        f"when your care team says so. If an exercise hurts more than {pain_limit} out of 10, "
        "stop it for the day and come back to it next time at a lower load: fewer reps or a "
        "smaller movement. If the pain does not settle by the next morning, or you are "
        "worried, contact your clinic."
    )


def handout_pdf(
    *, patient: Patient, programs: list[HandoutProgram], link_url: str, paper: str = "a4"
) -> bytes:
    """The handout on ``paper`` ("a4" or "letter"): greeting and the link with its QR code,
    then each program with one block per exercise; as many pages as it needs."""
    styles = _styles()
    page_width, _ = PAPERS[paper]
    width = page_width - 2 * MARGIN
    first_name = patient.full_name.split()[0] if patient.full_name.strip() else "there"
    story: list[Flowable] = [
        Paragraph(f"Hello {escape(first_name)}", styles["title"]),
        Paragraph(
            f"Your home exercise program from {escape(patient.clinic.name)}. "
            "Work within a comfortable range and log each set with your pain score.",
            styles["body"],
        ),
        Paragraph(escape(safety_note(patient.clinic.pain_progression_limit)), styles["body"]),
        Spacer(1, 3 * mm),
        _link_block(link_url, styles, width),
    ]
    for program in programs:
        story += [
            Paragraph(escape(program.name), styles["h2"]),
            Paragraph(f"<b>Exercise days:</b> {escape(program.schedule)}", styles["body"]),
        ]
        story += [_block(line, styles, width) for line in program.lines]
    if not programs:
        story.append(Paragraph("Your therapist will add your exercises soon.", styles["body"]))
    return _build(story, paper, footer=[f"{patient.clinic.name} · Your exercises:", link_url])


def _build(story: list[Flowable], paper: str, *, footer: list[str]) -> bytes:
    """The PDF of ``story``; each of ``footer``'s strings starts a new line at each page's foot."""
    buffer = io.BytesIO()
    page_width, page_height = PAPERS[paper]
    # The footer wraps (the link on a line of its own, split between characters only when it is
    # wider than the page) in a column clear of the page number, and the body stops above
    # however many lines it takes: a patient may type the link from any page, so it must be
    # printed whole.
    lines = Paragraph("<br/>".join(escape(line) for line in footer), FOOTER_STYLE)
    _, footer_height = lines.wrap(page_width - 2 * MARGIN - PAGE_LABEL_WIDTH, page_height)
    doc = SimpleDocTemplate(
        buffer, pagesize=PAPERS[paper], leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=max(MARGIN + 4 * mm, FOOTER_BOTTOM + footer_height + 5 * mm),
        title="Your exercise program", author="Clamshell",
    )  # fmt: skip

    def page_footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        lines.drawOn(canvas, MARGIN, FOOTER_BOTTOM)
        canvas.setFont(FOOTER_STYLE.fontName, FOOTER_STYLE.fontSize)
        first_baseline = FOOTER_BOTTOM + footer_height - FOOTER_STYLE.fontSize
        canvas.drawRightString(page_width - MARGIN, first_baseline, f"Page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return buffer.getvalue()
