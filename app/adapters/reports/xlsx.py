"""XLSX reports (xlsxwriter in `constant_memory` mode: each row goes to disk as it is
written, so a million rows take the memory of one). A `Summary` sheet with the facts,
the summary tables and a chart of each; a detail sheet with a formatted header, number
formats per column kind, frozen header row and an autofilter."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, BinaryIO

import xlsxwriter

from app.domain.reports.content import Cell, Column, ReportContent, Table

EXCEL_MAX_ROWS = 1_048_576
NUMBER_FORMATS = {
    "tonnes": "#,##0.000",
    "money": "#,##0.00",
    "percent": "0.00",
    "integer": "0",
    "datetime": "yyyy-mm-dd hh:mm:ss",
}
WIDTHS = {"datetime": 20, "tonnes": 14, "money": 14, "percent": 9, "integer": 12}


def write_xlsx(content: ReportContent, out: BinaryIO) -> None:
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "in_memory": False, "strings_to_numbers": False}
    )
    header = book.add_format({"bold": True, "bg_color": "#0B5D3B", "font_color": "#FFFFFF"})
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    formats = {kind: book.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
    summary = book.add_worksheet("Summary")
    summary.set_column(0, 0, 36)
    summary.set_column(1, 3, 18)
    summary.write_string(0, 0, content.title, bold)
    row = 2
    for label, value in content.facts:
        summary.write_string(row, 0, label)
        summary.write_string(row, 1, value)
        row += 1
    if content.statement:
        row += 1
        summary.merge_range(row, 0, row, 5, content.statement, wrap)
        summary.set_row(row, 60)
        row += 1
    charts_at: list[tuple[Table, int, int]] = []
    for table in content.summaries:
        row += 1
        summary.write_string(row, 0, table.title, bold)
        row += 1
        for col, column in enumerate(table.columns):
            summary.write_string(row, col, column.name, header)
        first = row + 1
        for cells in table.rows:
            row += 1
            _write_row(summary, row, table.columns, cells, formats)
        if row >= first:
            charts_at.append((table, first, row))
        row += 1
    chart_row = 2
    for table, first, last in charts_at:
        value_col = 2 if len(table.columns) > 2 else 1
        chart = _bar(book, table.title, "Summary", (first, last), value_col)
        summary.insert_chart(chart_row, 7, chart, {"x_scale": 1.1, "y_scale": 0.8})
        chart_row += 13
    detail = content.detail
    sheet = book.add_worksheet(detail.name[:31])
    for col, column in enumerate(detail.columns):
        sheet.set_column(col, col, WIDTHS.get(column.kind, 18))
        sheet.write_string(0, col, column.name, header)
    sheet.freeze_panes(1, 0)
    last = 0
    for last, cells in enumerate(detail.rows, start=1):
        if last >= EXCEL_MAX_ROWS:
            raise ValueError(f"more than {EXCEL_MAX_ROWS - 1} rows do not fit a sheet: use CSV")
        _write_row(sheet, last, detail.columns, cells, formats)
    sheet.autofilter(0, 0, max(last, 1), len(detail.columns) - 1)
    names = [c.name for c in detail.columns]
    if not charts_at and last and content.charts and content.charts[0].title in names:
        chart = _bar(
            book,
            content.charts[0].title,
            sheet.name,
            (1, last),
            names.index(content.charts[0].title),
        )
        summary.insert_chart(2, 7, chart)
    book.close()


def _bar(book: Any, title: str, sheet: str, rows: tuple[int, int], value_col: int) -> Any:
    """A bar chart of rows `rows` (first, last) of `sheet`: labels in column A."""
    first, last = rows
    chart = book.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": title,
            "categories": [sheet, first, 0, last, 0],
            "values": [sheet, first, value_col, last, value_col],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": title})
    chart.set_legend({"none": True})
    return chart


def _write_row(
    sheet: Any,
    row: int,
    columns: tuple[Column, ...],
    cells: tuple[Cell, ...],
    formats: dict[str, Any],
) -> None:
    for col, (column, value) in enumerate(zip(columns, cells, strict=True)):
        if value is None:
            continue
        if isinstance(value, datetime):
            naive = value.astimezone(UTC).replace(tzinfo=None)
            sheet.write_datetime(row, col, naive, formats["datetime"])
        elif isinstance(value, Decimal | int) and not isinstance(value, bool):
            sheet.write_number(row, col, float(value), formats.get(column.kind))
        else:
            sheet.write_string(row, col, str(value))
