"""CSV and JSON reports, written as the rows come (constant memory).

CSV: the detail table first (its header, then one line per row), then after an empty
line the summary: the facts, each summary table under its title, and the statement.
JSON: one object, `rows` an array of objects keyed by column, written row by row;
decimals are strings (exact), times ISO 8601."""

from __future__ import annotations

import csv
import io
import json
from typing import BinaryIO

from app.adapters.reports.cells import text_cell
from app.domain.reports.content import Cell, ReportContent


def write_csv(content: ReportContent, out: BinaryIO) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        writer = csv.writer(text)
        writer.writerow([c.name for c in content.detail.columns])
        writer.writerows(map(_texts, content.detail.rows))
        writer.writerow([])
        writer.writerow(["report", content.title])
        writer.writerows(content.facts)
        for table in content.summaries:
            writer.writerow([])
            writer.writerow([table.title])
            writer.writerow([c.name for c in table.columns])
            writer.writerows(map(_texts, table.rows))
        if content.statement:
            writer.writerow([])
            writer.writerow(["statement", content.statement])
        text.flush()
    finally:
        text.detach()


def _texts(row: tuple[Cell, ...]) -> list[str]:
    # Most cells are already text: only the others go through the rules.
    return [v if type(v) is str else text_cell(v) for v in row]


def write_json(content: ReportContent, out: BinaryIO) -> None:
    head = {
        "title": content.title,
        "facts": dict(content.facts),
        "summary": content.data,
        "tables": {
            t.name: [
                dict(zip([c.name for c in t.columns], _values(row), strict=True)) for row in t.rows
            ]
            for t in content.summaries
        },
        "statement": content.statement,
        "columns": [c.name for c in content.detail.columns],
    }
    opening = json.dumps(head, ensure_ascii=False)[:-1]  # without its closing brace
    out.write(f'{opening}, "rows": ['.encode())
    names = [c.name for c in content.detail.columns]
    first = True
    buffer: list[str] = []
    for row in content.detail.rows:
        item = json.dumps(dict(zip(names, _values(row), strict=True)), ensure_ascii=False)
        buffer.append(item if first else "," + item)
        first = False
        if len(buffer) >= 1000:
            out.write("".join(buffer).encode())
            buffer.clear()
    out.write(("".join(buffer) + "]}").encode())


def _values(row: tuple[Cell, ...]) -> list[object]:
    return [v if v is None or isinstance(v, int) else text_cell(v) for v in row]
