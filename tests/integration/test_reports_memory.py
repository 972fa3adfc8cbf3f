"""A CSV report of 64 MB stored and downloaded in constant memory: the build seals it
into the blob store and the download decrypts it while it is read, with the traced peak
of each step under 8 MB (reading the file whole, as a single `seal` needs, would alone
take its 64 MB, and the ciphertext as much again)."""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from app.adapters.crypto.envelope import AesGcmEnvelopeCipher
from app.adapters.reports.files import FileReportWriter, TempReportFile
from app.adapters.storage.local import LocalBlobStore
from app.domain.documents.services import Storage
from app.domain.reports.content import Column, ReportContent, Table
from app.domain.reports.model import ReportFormat, ReportStatus
from app.ports.report_files import WrittenFile
from tests.unit.reports.world import ReportsWorld

MB = 1024 * 1024
ROWS = 480_000
PEAK_LIMIT = 8 * MB


def _rows() -> Iterator[tuple[str, ...]]:
    for n in range(ROWS):
        yield (
            f"r{n:07d}",
            "Mata Viva forestry restoration, Para, Brazil",
            "Verra VCS VM0047",
            f"{n % 997}.{n % 1000:03d}",
            f"BR-VCS-2024-{n:09d}",
            "2026 business travel of the Acme group",
        )


class Prewritten:
    """The writer of the build: hands over a CSV already written by the real writer."""

    def __init__(self, file: TempReportFile) -> None:
        self.file = file

    def write(self, content: ReportContent, fmt: ReportFormat) -> WrittenFile:
        return self.file


def test_a_64_mb_csv_is_stored_and_downloaded_in_constant_memory(tmp_path: Path) -> None:
    columns = tuple(Column(name) for name in ("id", "project", "standard", "t", "serial", "why"))
    content = ReportContent("Retirements", (), Table("detail", "Detail", columns, _rows()))
    written = FileReportWriter(str(tmp_path)).write(content, ReportFormat.CSV)  # untraced
    expected = hashlib.sha256()
    for chunk in written.chunks():
        expected.update(chunk)
    size = written.size
    assert size > 64 * MB

    world = ReportsWorld()
    cipher = AesGcmEnvelopeCipher({"k1": hashlib.sha256(b"memory test key").digest()}, "k1")
    world.storage = Storage(LocalBlobStore(tmp_path / "blobs"), cipher, b"link key")
    world.writer = Prewritten(written)  # type: ignore[assignment]
    report = world.ask(fmt=ReportFormat.CSV)

    tracemalloc.start()
    try:
        stored = world.build(report)
        store_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        found = world.download(stored)
        got, received = hashlib.sha256(), 0
        for chunk in found.chunks:
            got.update(chunk)
            received += len(chunk)
        download_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert stored.status == ReportStatus.READY, stored.failure
    assert stored.file is not None
    assert (stored.file.size, stored.file.sha256) == (size, expected.hexdigest())
    assert (found.size, received, got.hexdigest()) == (size, size, expected.hexdigest())
    assert store_peak < PEAK_LIMIT, f"store peak {store_peak / MB:.1f} MB"
    assert download_peak < PEAK_LIMIT, f"download peak {download_peak / MB:.1f} MB"
