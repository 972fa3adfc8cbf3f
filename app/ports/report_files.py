"""Writing a report's content to a file in one of the formats (PDF, CSV, JSON, XLSX)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from app.domain.reports.content import ReportContent
from app.domain.reports.model import ReportFormat


class WrittenFile(Protocol):
    """A finished file on local disk, gone once closed."""

    @property
    def size(self) -> int: ...

    def read(self) -> bytes: ...

    def chunks(self) -> Iterator[bytes]:
        """The file's bytes in pieces of at most 64 KiB, read as they are asked for."""
        ...

    def close(self) -> None: ...


class ReportWriter(Protocol):
    def write(self, content: ReportContent, fmt: ReportFormat) -> WrittenFile:
        """Write `content` (its table rows as they come, each read once) to a file."""
        ...
