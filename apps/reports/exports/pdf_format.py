"""PDF output with reportlab, laid out as a report: title, period, clinic and who it covers;
the totals per therapist; a bar chart of their adherence; then every patient, the table's
header repeated on each page and no row split across two. Every page's footer names the
report and the page. Dates read in the installation's locale (``LANGUAGE_CODE``) and
adherence as every page writes a percentage ("40 %"); the CSV and Excel keep numbers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from html import escape as html_escape
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from apps.core.formats import day_text, percent_text
from apps.core.pdf_fonts import pdf_fonts
from apps.reports.exports.cells import Cell
from apps.reports.exports.report import (
    CARE_COLUMNS,
    PATIENT_COLUMNS,
    TOTAL_COLUMNS,
    AdherenceReport,
    PatientRow,
    Total,
    care_text,
    patient_cells,
    total_cells,
    total_rows,
)

BRAND = colors.HexColor("#0b5e6b")
LINE = colors.HexColor("#c5ced6")
STRIPE = colors.HexColor("#f3f6f8")
WIDE_COLUMNS = frozenset({"Patient", "Therapist", "Programs"})
DATE_COLUMNS = frozenset({"Last activity"})
# The files' "Adherence %" column of numbers, printed as the page prints it: "Adherence",
# "40 %".
PERCENT_COLUMNS = {"Adherence %": "Adherence"}
# Room for "Progressions" in bold DejaVu Sans (18.1 mm at 7 pt, wider than Helvetica's 15.8)
# and the cell's padding.
FIGURE_WIDTH = 20.5 * mm
DATE_WIDTH = 22 * mm
NO_VALUE = "\u2013"  # an en dash
CHART_LABEL_CHARS = 18


def escape(text: str) -> str:
    """Paragraph text is mini-markup: names with < or & must be shown, not parsed."""
    return html_escape(text, quote=False)


def display(value: Cell, *, percent: bool = False) -> str:
    """A cell as text for the PDF: dates as people read them, a percentage with its sign,
    a dash for no value."""
    if value is None:
        return NO_VALUE
    if isinstance(value, date):
        return day_text(value)
    if percent and isinstance(value, int | float | Decimal):
        return percent_text(value)
    return str(value)


def _styles() -> dict[str, ParagraphStyle]:
    sheet, fonts = getSampleStyleSheet(), pdf_fonts()
    body = ParagraphStyle("body", parent=sheet["BodyText"], fontName=fonts.regular)
    cell = ParagraphStyle("cell", parent=body, fontSize=7, leading=8.5)
    return {
        "title": ParagraphStyle("title", parent=sheet["Title"], fontName=fonts.bold),
        "h2": ParagraphStyle("h2", parent=sheet["Heading2"], fontName=fonts.bold),
        "body": body,
        "cell": cell,
        "head": ParagraphStyle("head", parent=cell, fontName=fonts.bold),
    }


def _widths(headers: Sequence[str], width: float) -> list[float]:
    """Each figure gets room for its longest header word ("Progressions") and each date for
    "30 Sept 2026"; the names share the rest, so figures never wrap mid-word."""
    fixed = {header: DATE_WIDTH if header in DATE_COLUMNS else FIGURE_WIDTH for header in headers}
    wide = [header for header in headers if header in WIDE_COLUMNS]
    spare = width - sum(fixed[header] for header in headers if header not in WIDE_COLUMNS)
    share = spare / len(wide) if wide else 0
    return [share if header in WIDE_COLUMNS else fixed[header] for header in headers]


def _table(
    headers: Sequence[str], rows: list[list[Cell]], styles: dict[str, Any], width: float
) -> Table:
    """A table whose cells wrap (names can be long), header repeated on every page, and a row
    never split across two pages (``splitInRow=0``)."""
    data = [[Paragraph(escape(PERCENT_COLUMNS.get(h, h)), styles["head"]) for h in headers]]
    percent = [h in PERCENT_COLUMNS for h in headers]
    data += [
        [
            Paragraph(escape(display(v, percent=p)), styles["cell"])
            for v, p in zip(row, percent, strict=True)
        ]
        for row in rows
    ]
    table = Table(data, colWidths=_widths(headers, width), repeatRows=1, splitInRow=0)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
                ("LINEBELOW", (0, 0), (-1, 0), 1, BRAND),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def adherence_chart(totals: Sequence[Total], width: float) -> Drawing:
    """A bar chart of each therapist's adherence (0-100 %); no bar when nothing was due."""
    height = 60 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 15 * mm, 15 * mm
    chart.width, chart.height = width - 25 * mm, height - 22 * mm
    chart.data = [[float(t.adherence or 0) for t in totals] or [0.0]]
    chart.categoryAxis.categoryNames = [t.label[:CHART_LABEL_CHARS] for t in totals] or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.fontName = pdf_fonts().regular  # therapists' names
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.bars[0].fillColor = BRAND
    drawing.add(chart)
    drawing.add(String(0, height - 5 * mm, "Adherence % per therapist", fontSize=9))
    return drawing


def _heading(report: AdherenceReport, styles: dict[str, Any]) -> list[Any]:
    filters = report.filters
    who = filters.therapist.full_name or filters.therapist.email if filters.therapist else None
    lines = [
        f"<b>Period:</b> {escape(period_text(report))}",
        f"<b>Clinic:</b> {escape(report.clinic_name)}",
        f"<b>Therapist:</b> {escape(who)}" if who else "<b>Therapists:</b> all",
        f"<b>Prepared:</b> {escape(_prepared_text(report))}",
    ]
    story: list[Any] = [Paragraph("Adherence report", styles["title"])]
    story += [Paragraph(line, styles["body"]) for line in lines]
    return story


def _prepared_text(report: AdherenceReport) -> str:
    """When the report was made, in the clinic's own time zone (named), not the server's."""
    zone = report.clinic_time_zone
    local = report.generated_at.astimezone(ZoneInfo(zone))
    return f"{day_text(local.date())}, {local:%H:%M} ({zone})"


def period_text(report: AdherenceReport) -> str:
    return f"{day_text(report.filters.start)} to {day_text(report.filters.end)}"


def _footer(report: AdherenceReport) -> Any:
    text = f"Adherence report · {report.clinic_name} · {period_text(report)}"

    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(pdf_fonts().regular, 7)  # the clinic's name
        canvas.setFillColor(colors.HexColor("#4a5560"))
        canvas.drawString(doc.leftMargin, 7 * mm, text)
        canvas.drawRightString(
            doc.pagesize[0] - doc.rightMargin, 7 * mm, f"Page {canvas.getPageNumber()}"
        )
        canvas.restoreState()

    return draw


def _patients(report: AdherenceReport, styles: dict[str, Any], width: float) -> list[Any]:
    # The heading moves to the next page with the table rather than sit alone at a foot.
    story: list[Any] = [CondPageBreak(40 * mm), Paragraph("Patients", styles["h2"])]
    rows = [_patient_cells(row) for row in report.rows]
    if rows:
        headers = [c.header for c in PATIENT_COLUMNS[:-CARE_COLUMNS]]
        story.append(_table(headers, rows, styles, width))
    else:
        story.append(
            Paragraph("No patient had a program or a logged set in this period.", styles["body"])
        )
    return story


THERAPIST_COLUMN = [c.header for c in PATIENT_COLUMNS].index("Therapist")


def _patient_cells(row: PatientRow) -> list[Cell]:
    """The row's cells, its part of the period said with the therapist ("Priya Patel from
    3 Mar 2026"): the page has no room for two more columns of dates."""
    cells = patient_cells(row)[:-CARE_COLUMNS]
    if part := care_text(row, day_text):
        cells[THERAPIST_COLUMN] = f"{row.therapist} {part}"
    return cells


def summary_pdf(report: AdherenceReport, out: IO[bytes]) -> None:
    # A worker has no request: the locale is the installation's.
    with translation.override(settings.LANGUAGE_CODE):
        _summary_pdf(report, out)


def _summary_pdf(report: AdherenceReport, out: IO[bytes]) -> None:
    styles = _styles()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        bottomMargin=14 * mm,
        title=f"Adherence report, {report.clinic_name}, {period_text(report)}",
        author="Clamshell",
    )
    totals = list(total_rows(report.totals))
    story = _heading(report, styles)
    story += [Spacer(1, 4 * mm), Paragraph("Totals", styles["h2"])]
    story.append(
        _table(
            [c.header for c in TOTAL_COLUMNS], [total_cells(t) for t in totals], styles, doc.width
        )
    )
    story += [Spacer(1, 6 * mm), adherence_chart(report.therapist_totals, doc.width)]
    story += [Spacer(1, 4 * mm), *_patients(report, styles, doc.width)]
    footer = _footer(report)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
