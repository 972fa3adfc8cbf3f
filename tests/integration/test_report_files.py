"""Report files open in their readers (csv, json, openpyxl, pypdf) with the figures of
the content they were written from; the PDF caps its detail table and says so."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pypdf
import pytest

from app.adapters.reports.files import FileReportWriter
from app.adapters.reports.pdf import MAX_ROWS
from app.domain.reports.builders import build_content
from app.domain.reports.model import ReportFormat
from app.domain.shared.money import Money
from tests.unit.reports.world import FINANCE, ReportsWorld, retirement_row

D = Decimal
ROWS = 620


@pytest.fixture
def world() -> ReportsWorld:
    w = ReportsWorld()
    for n in range(ROWS):
        removal = n % 4 == 0
        w.retired(
            retirement_row(
                n,
                1_000 + n,
                mitigation="removal" if removal else "reduction",
                removal_kind="biogenic" if removal else None,
                country="DE" if n % 3 == 0 else "BR",
                price_paid=Money.of("12.5", "EUR") if n % 2 else None,
            )
        )
    w.bought(5_000, Money.of("99.99", "EUR"))
    return w


def _write(world: ReportsWorld, fmt: ReportFormat) -> bytes:
    report = world.ask(FINANCE, fmt=fmt)
    content = build_content(report, world.figures, world.uow.scheduled_retirements)
    written = FileReportWriter().write(content, fmt)
    try:
        return written.read()
    finally:
        written.close()
        assert not written.path.exists()


def _retired_t() -> Decimal:
    return sum((D(1_000 + n) / 1000 for n in range(ROWS)), D(0))


def test_csv_rows_sum_to_the_retired_tonnes_and_the_summary_follows(world: ReportsWorld):
    lines = list(csv.reader(io.StringIO(_write(world, ReportFormat.CSV).decode())))
    header = lines[0]
    end = lines.index([])
    rows = lines[1:end]
    assert len(rows) == ROWS
    assert sum(D(r[header.index("quantity_t")]) for r in rows) == _retired_t()
    assert rows[1][header.index("price_paid")] == "12.50"
    facts = {line[0]: line[1] for line in lines[end:] if len(line) == 2}
    assert D(facts["Tonnes retired (cancelled)"]) == _retired_t()
    shares = [
        D(line[2]) for line in lines[end:] if len(line) == 3 and line[0] in {"reduction", "removal"}
    ]
    assert sum(shares) == D(100)


def test_json_parses_with_every_row_and_the_e1_7_figures(world: ReportsWorld):
    doc = json.loads(_write(world, ReportFormat.JSON))
    assert len(doc["rows"]) == ROWS
    assert sum(D(r["quantity_t"]) for r in doc["rows"]) == _retired_t()
    assert D(doc["summary"]["totals"]["tonnes_retired"]) == _retired_t()
    for rows in doc["summary"]["e1_7"].values():
        assert sum(D(r["percent"]) for r in rows) == D(100)
    assert "not netted" in doc["statement"]


def test_xlsx_opens_in_openpyxl_with_a_chart_frozen_header_and_number_formats(
    world: ReportsWorld,
):
    book = openpyxl.load_workbook(io.BytesIO(_write(world, ReportFormat.XLSX)))
    assert book.sheetnames == ["Summary", "retirements"]
    sheet = book["retirements"]
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2"
    col = header.index("quantity_t")
    values = [row[col] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(values) == ROWS
    assert round(sum(D(str(v)) for v in values), 3) == _retired_t()
    assert sheet.cell(2, col + 1).number_format == "#,##0.000"
    assert sheet.cell(2, header.index("retired_at") + 1).is_date
    summary = book["Summary"]
    assert len(summary._charts) >= 1
    facts = {r[0]: r[1] for r in summary.iter_rows(values_only=True) if r[0]}
    assert D(facts["Tonnes retired (cancelled)"]) == _retired_t()


def test_the_pdf_opens_with_its_chart_totals_and_a_capped_table(world: ReportsWorld):
    reader = pypdf.PdfReader(io.BytesIO(_write(world, ReportFormat.PDF)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "ESG summary" in text
    assert f"{_retired_t().normalize()}" in text.replace(",", "")
    assert f"Only the first {MAX_ROWS} rows are shown: {ROWS - MAX_ROWS} more" in text
    assert "not netted" in text
    assert "Reductions and removals" in text
