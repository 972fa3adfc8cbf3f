"""The writer the composition root hands to the build job: one temporary file per
report, in the format asked, removed once the job has stored it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from app.adapters.reports import csv_json, xlsx
from app.domain.reports.content import ReportContent
from app.domain.reports.model import ReportFormat

Render = Callable[[ReportContent, BinaryIO], None]
CHUNK_BYTES = 64 * 1024


def _pdf(content: ReportContent, out: BinaryIO) -> None:
    from app.adapters.reports.pdf import write_pdf  # reportlab, only when a PDF is asked

    write_pdf(content, out)


class TempReportFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def read(self) -> bytes:
        return self.path.read_bytes()

    def chunks(self) -> Iterator[bytes]:
        with self.path.open("rb") as handle:
            while piece := handle.read(CHUNK_BYTES):
                yield piece

    def close(self) -> None:
        self.path.unlink(missing_ok=True)


class FileReportWriter:
    def __init__(self, directory: str | None = None) -> None:
        self._directory = directory

    def write(self, content: ReportContent, fmt: ReportFormat) -> TempReportFile:
        renders: dict[ReportFormat, Render] = {
            ReportFormat.CSV: csv_json.write_csv,
            ReportFormat.JSON: csv_json.write_json,
            ReportFormat.XLSX: xlsx.write_xlsx,
            ReportFormat.PDF: _pdf,
        }
        handle, name = tempfile.mkstemp(
            prefix="report-", suffix=f".{fmt.value}", dir=self._directory
        )
        os.close(handle)
        path = Path(name)
        try:
            with path.open("wb") as out:
                renders[fmt](content, out)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return TempReportFile(path)
