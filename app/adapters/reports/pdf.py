"""PDF reports (reportlab): the facts, the disclosure statement, a bar chart of each
summary (reportlab.graphics) with its table, and the detail table capped at `MAX_ROWS`
rows; the rows beyond are counted, not drawn, and the report says how many there are
and where to find them all (the CSV, JSON or XLSX of the same report)."""

from __future__ import annotations

from itertools import islice
from typing import Any, BinaryIO

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)
from reportlab.platypus import (
    Table as PdfTable,
)

from app.adapters.reports.cells import text_cell
from app.domain.reports.content import Chart, ReportContent, Table

MAX_ROWS = 500
GREEN = colors.HexColor("#0B5D3B")
DETAIL_WIDTH = 12  # columns of the detail table drawn (the rest are in the other formats)


def write_pdf(content: ReportContent, out: BinaryIO) -> None:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8)
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        title=content.title,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        invariant=True,
    )
    story: list[Any] = [Paragraph(content.title, styles["Title"])]
    story.append(_grid(list(content.facts), header=False))
    if content.statement:
        story += [Spacer(1, 4 * mm), Paragraph(f"<b>{content.statement}</b>", styles["BodyText"])]
    charts = {c.title: c for c in content.charts}
    for table in content.summaries:
        story += [Spacer(1, 5 * mm), Paragraph(table.title, styles["Heading3"])]
        if table.title in charts:
            story.append(_bar_chart(charts.pop(table.title)))
        story.append(_grid([tuple(c.name for c in table.columns), *_texts(table)]))
    for chart in charts.values():
        story += [Spacer(1, 5 * mm), _bar_chart(chart)]
    story += [Spacer(1, 5 * mm), Paragraph(content.detail.title, styles["Heading3"])]
    rows = iter(content.detail.rows)
    shown = [
        tuple(Paragraph(text_cell(v), small) for v in row[:DETAIL_WIDTH])
        for row in islice(rows, MAX_ROWS)
    ]
    hidden = sum(1 for _ in rows)
    names = tuple(
        Paragraph(f"<b>{c.name}</b>", small) for c in content.detail.columns[:DETAIL_WIDTH]
    )
    story.append(_grid([names, *shown], repeat=True))
    if hidden:
        story.append(
            Paragraph(
                f"Only the first {MAX_ROWS} rows are shown: {hidden} more are in the CSV, "
                "JSON and XLSX formats of this report.",
                styles["Italic"],
            )
        )
    if len(content.detail.columns) > DETAIL_WIDTH:
        story.append(
            Paragraph(
                f"Columns shown: the first {DETAIL_WIDTH} of {len(content.detail.columns)}.",
                styles["Italic"],
            )
        )
    doc.build(story)


def _texts(table: Table) -> list[tuple[str, ...]]:
    return [tuple(text_cell(v) for v in row) for row in table.rows]


def _grid(rows: list[tuple[Any, ...]], *, header: bool = True, repeat: bool = False) -> Any:
    if not rows:
        rows = [("",)]
    kind = LongTable if repeat else PdfTable
    grid = kind(rows, repeatRows=1 if header else 0, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), GREEN),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ]
    grid.setStyle(style)
    return grid


def _bar_chart(chart: Chart) -> Drawing:
    height = 30 + 18 * max(1, len(chart.labels))
    drawing = Drawing(160 * mm, height)
    bars = HorizontalBarChart()
    bars.x, bars.y = 150, 10
    bars.width, bars.height = 160 * mm - 180, height - 30
    bars.data = [[float(v) for v in chart.values] or [0.0]]
    bars.categoryAxis.categoryNames = list(chart.labels) or [""]
    bars.categoryAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labels.fontSize = 7
    bars.bars[0].fillColor = GREEN
    bars.barLabelFormat = "%.2f"
    bars.barLabels.fontSize = 7
    bars.barLabels.nudge = 12
    drawing.add(bars)
    drawing.add(String(0, height - 10, chart.title, fontSize=9, fontName="Helvetica-Bold"))
    return drawing
