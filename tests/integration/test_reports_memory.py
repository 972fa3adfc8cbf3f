"""A CSV report of 64 MB stored and downloaded in constant memory: the build seals it
into the blob store and the download decrypts it while it is read, with the traced peak
of each step under 8 MB (reading the file whole, as a single `seal` needs, would alone
take its 64 MB, and the ciphertext as much again). And an 11 MB one through S3 (a
multipart upload) on moto_server and through a js-ipfs daemon."""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.adapters.crypto.envelope import AesGcmEnvelopeCipher
from app.adapters.reports.files import FileReportWriter, TempReportFile
from app.adapters.storage.ipfs import IpfsBlobStore
from app.adapters.storage.local import LocalBlobStore
from app.adapters.storage.s3 import S3BlobStore
from app.domain.documents.services import Storage
from app.domain.reports.content import Column, ReportContent, Table
from app.domain.reports.model import Report, ReportFormat, ReportStatus
from app.ports.report_files import WrittenFile
from app.ports.storage import BlobStore
from tests.integration import storage_servers
from tests.integration.storage_servers import use_aws_test_env
from tests.unit.reports.world import ReportsWorld

moto_s3 = storage_servers.moto_s3
ipfs_daemon = storage_servers.ipfs_daemon

MB = 1024 * 1024
ROWS = 480_000
PEAK_LIMIT = 8 * MB


def _rows(count: int) -> Iterator[tuple[str, ...]]:
    for n in range(count):
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


def _world(tmp_path: Path, rows: int, store: BlobStore) -> tuple[ReportsWorld, str]:
    """A world whose build stores a CSV of `rows` rows in `store`, and that CSV's sha256."""
    columns = tuple(Column(name) for name in ("id", "project", "standard", "t", "serial", "why"))
    content = ReportContent("Retirements", (), Table("detail", "Detail", columns, _rows(rows)))
    written = FileReportWriter(str(tmp_path)).write(content, ReportFormat.CSV)
    expected = hashlib.sha256()
    for chunk in written.chunks():
        expected.update(chunk)
    world = ReportsWorld()
    cipher = AesGcmEnvelopeCipher({"k1": hashlib.sha256(b"memory test key").digest()}, "k1")
    world.storage = Storage(store, cipher, b"link key")
    world.writer = Prewritten(written)  # type: ignore[assignment]
    return world, expected.hexdigest()


def _received(world: ReportsWorld, report: Report) -> tuple[int, str]:
    got, size = hashlib.sha256(), 0
    for chunk in world.download(report).chunks:
        got.update(chunk)
        size += len(chunk)
    return size, got.hexdigest()


def test_a_64_mb_csv_is_stored_and_downloaded_in_constant_memory(tmp_path: Path) -> None:
    world, expected = _world(tmp_path, ROWS, LocalBlobStore(tmp_path / "blobs"))  # untraced
    size = world.writer.file.size  # type: ignore[attr-defined]
    assert size > 64 * MB
    report = world.ask(fmt=ReportFormat.CSV)

    tracemalloc.start()
    try:
        stored = world.build(report)
        store_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        received = _received(world, stored)
        download_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert stored.status == ReportStatus.READY, stored.failure
    assert stored.file is not None
    assert (stored.file.size, stored.file.sha256) == (size, expected)
    assert received == (size, expected)
    assert store_peak < PEAK_LIMIT, f"store peak {store_peak / MB:.1f} MB"
    assert download_peak < PEAK_LIMIT, f"download peak {download_peak / MB:.1f} MB"


@pytest.fixture(params=["s3", "ipfs"])
def remote_store(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BlobStore]:
    if request.param == "s3":
        use_aws_test_env(monkeypatch)
        s3 = S3BlobStore("reports-stream", endpoint_url=request.getfixturevalue("moto_s3"))
        s3.ensure_bucket()
        yield s3
    else:
        ipfs = IpfsBlobStore(request.getfixturevalue("ipfs_daemon"), timeout=10)
        yield ipfs
        ipfs.close()


def test_an_11_mb_csv_is_stored_and_downloaded_through_s3_and_ipfs(
    tmp_path: Path, remote_store: BlobStore
) -> None:
    world, expected = _world(tmp_path, 80_000, remote_store)
    size = world.writer.file.size  # type: ignore[attr-defined]
    assert size > 8 * MB  # past one S3 part

    stored = world.build(world.ask(fmt=ReportFormat.CSV))

    assert stored.status == ReportStatus.READY, stored.failure
    assert stored.file is not None
    assert (stored.file.size, stored.file.sha256) == (size, expected)
    assert _received(world, stored) == (size, expected)
