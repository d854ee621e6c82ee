"""PDF output with reportlab: the totals per therapist, a bar chart of their adherence, and
the patient rows (the header repeats on every page)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape as html_escape
from typing import IO, Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from apps.reports.exports.cells import Cell
from apps.reports.exports.report import (
    PATIENT_COLUMNS,
    TOTAL_COLUMNS,
    AdherenceReport,
    Total,
    patient_cells,
    total_cells,
    total_rows,
)

BRAND = colors.HexColor("#0b5e6b")
LINE = colors.HexColor("#c5ced6")
NO_VALUE = "\u2013"  # an en dash
CHART_LABEL_CHARS = 18


def escape(text: str) -> str:
    """Paragraph text is mini-markup: names with < or & must be shown, not parsed."""
    return html_escape(text, quote=False)


def display(value: Cell) -> str:
    """A cell as text for the PDF: ISO dates, a dash for no value."""
    if value is None:
        return NO_VALUE
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _styles() -> dict[str, ParagraphStyle]:
    sheet = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=sheet["BodyText"], fontSize=7, leading=8.5)
    head = ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold")
    return {
        "title": sheet["Title"],
        "h2": sheet["Heading2"],
        "body": sheet["BodyText"],
        "cell": cell,
        "head": head,
    }


def _table(headers: Sequence[str], rows: list[list[Cell]], styles: dict[str, Any]) -> Table:
    """A table whose cells wrap (names can be long), header repeated on every page."""
    data = [[Paragraph(escape(h), styles["head"]) for h in headers]]
    data += [[Paragraph(escape(display(v)), styles["cell"]) for v in row] for row in rows]
    table = Table(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
                ("LINEBELOW", (0, 0), (-1, 0), 1, BRAND),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
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
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.bars[0].fillColor = BRAND
    drawing.add(chart)
    drawing.add(String(0, height - 5 * mm, "Adherence % per therapist", fontSize=9))
    return drawing


def _heading(report: AdherenceReport, styles: dict[str, Any]) -> list[Any]:
    filters = report.filters
    who = filters.therapist.full_name or filters.therapist.email if filters.therapist else None
    lines = [
        f"{report.clinic_name}: {filters.start.isoformat()} to {filters.end.isoformat()}",
        f"Therapist: {who}" if who else "All therapists",
        f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC",
    ]
    story: list[Any] = [Paragraph("Adherence report", styles["title"])]
    story += [Paragraph(escape(line), styles["body"]) for line in lines]
    return story


def summary_pdf(report: AdherenceReport, out: IO[bytes]) -> None:
    styles = _styles()
    page = landscape(A4)
    doc = SimpleDocTemplate(
        out, pagesize=page, leftMargin=12 * mm, rightMargin=12 * mm, title="Adherence report"
    )
    totals = list(total_rows(report.totals))
    story = _heading(report, styles)
    story += [Spacer(1, 4 * mm), Paragraph("Totals", styles["h2"])]
    story.append(
        _table([c.header for c in TOTAL_COLUMNS], [total_cells(t) for t in totals], styles)
    )
    story += [Spacer(1, 6 * mm), adherence_chart(report.therapist_totals, doc.width)]
    story += [Spacer(1, 4 * mm), Paragraph("Patients", styles["h2"])]
    rows = [patient_cells(row) for row in report.rows]
    if rows:
        story.append(_table([c.header for c in PATIENT_COLUMNS], rows, styles))
    else:
        story.append(
            Paragraph("No patient had a program or a logged set in this period.", styles["body"])
        )
    doc.build(story)
