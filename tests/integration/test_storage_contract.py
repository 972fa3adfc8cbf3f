"""The `BlobStore` contract, run against each adapter on a real backend (a directory,
moto_server, a js-ipfs daemon), then what is specific to each adapter."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import tracemalloc
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from botocore.exceptions import BotoCoreError, ClientError

from app.adapters.storage.ipfs import IpfsBlobStore, IpfsProbe
from app.adapters.storage.local import LocalBlobStore
from app.adapters.storage.s3 import S3BlobStore, S3Probe
from app.ports.storage import BlobStore
from tests.integration import storage_servers
from tests.integration.storage_servers import use_aws_test_env

# The servers are session fixtures of storage_servers; exposing them here makes them usable.
moto_s3 = storage_servers.moto_s3
ipfs_daemon = storage_servers.ipfs_daemon

MB = 1024 * 1024


@dataclass
class Subject:
    store: BlobStore
    missing_locator: str  # a well-formed locator that was never written


def unstored_cid() -> str:
    """A CIDv1 (raw codec, sha2-256, base32) of random bytes nobody has added."""
    digest = hashlib.sha256(os.urandom(32)).digest()
    raw = bytes([0x01, 0x55, 0x12, 0x20]) + digest
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def new_key() -> str:
    return f"documents/{uuid.uuid4().hex}/1"


@pytest.fixture
def s3_store(moto_s3: str, monkeypatch: pytest.MonkeyPatch) -> S3BlobStore:
    use_aws_test_env(monkeypatch)
    store = S3BlobStore(f"docs-{uuid.uuid4().hex[:12]}", endpoint_url=moto_s3)
    store.ensure_bucket()
    return store


@pytest.fixture
def ipfs_store(ipfs_daemon: str) -> Iterator[IpfsBlobStore]:
    store = IpfsBlobStore(ipfs_daemon, timeout=10)
    yield store
    store.close()


@pytest.fixture(params=["local", "s3", "ipfs"])
def subject(request: pytest.FixtureRequest, tmp_path: Path) -> Subject:
    if request.param == "local":
        return Subject(LocalBlobStore(tmp_path / "blobs"), missing_locator=new_key())
    if request.param == "s3":
        return Subject(request.getfixturevalue("s3_store"), missing_locator=new_key())
    return Subject(request.getfixturevalue("ipfs_store"), missing_locator=unstored_cid())


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that is bound (so nobody else takes it) but not listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


# --- the contract -------------------------------------------------------------------------


def test_put_then_get_returns_the_same_bytes(subject: Subject) -> None:
    locator = subject.store.put(new_key(), b"sealed document bytes")

    assert subject.store.get(locator) == b"sealed document bytes"


def test_writing_a_key_again_reads_back_the_new_bytes(subject: Subject) -> None:
    key = new_key()
    subject.store.put(key, b"first version")

    locator = subject.store.put(key, b"second version")

    assert subject.store.get(locator) == b"second version"


def test_get_of_a_missing_locator_raises_key_error(subject: Subject) -> None:
    with pytest.raises(KeyError):
        subject.store.get(subject.missing_locator)


def test_deleted_object_is_gone_and_deleting_again_is_fine(subject: Subject) -> None:
    locator = subject.store.put(new_key(), b"to be removed")

    subject.store.delete(locator)
    subject.store.delete(locator)

    with pytest.raises(KeyError):
        subject.store.get(locator)


def test_deleting_a_locator_never_written_is_fine(subject: Subject) -> None:
    subject.store.delete(subject.missing_locator)


def test_five_megabytes_of_random_bytes_round_trip(subject: Subject) -> None:
    data = os.urandom(5 * MB)

    locator = subject.store.put(new_key(), data)

    assert subject.store.get(locator) == data


def test_binary_data_with_zero_bytes_is_kept_exactly(subject: Subject) -> None:
    data = b"\x00" * 17 + bytes(range(256)) + b"\x00\r\n\x00" + b"\x00" * 17

    locator = subject.store.put(new_key(), data)

    assert subject.store.get(locator) == data


def test_empty_object_round_trips(subject: Subject) -> None:
    locator = subject.store.put(new_key(), b"")

    assert subject.store.get(locator) == b""


# --- streams ------------------------------------------------------------------------------


def pieces_of(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("size", [0, 1, 65_537, 20 * MB + 3])
def test_put_stream_then_get_stream_returns_the_same_bytes(subject: Subject, size: int) -> None:
    data = os.urandom(size)

    locator = subject.store.put_stream(new_key(), pieces_of(data, MB))
    chunks = list(subject.store.get_stream(locator))

    assert b"".join(chunks) == data
    assert all(len(chunk) <= 64 * 1024 for chunk in chunks)
    assert subject.store.get(locator) == data


def test_put_stream_replaces_a_key_and_get_stream_reads_what_put_wrote(subject: Subject) -> None:
    key = new_key()
    subject.store.put(key, b"first version")

    locator = subject.store.put_stream(key, [b"second ", b"", b"version"])

    assert b"".join(subject.store.get_stream(locator)) == b"second version"
    assert b"".join(subject.store.get_stream(subject.store.put(new_key(), b"put"))) == b"put"


def test_get_stream_of_a_missing_locator_raises_key_error(subject: Subject) -> None:
    with pytest.raises(KeyError):
        b"".join(subject.store.get_stream(subject.missing_locator))


def test_put_stream_and_get_stream_hold_a_bounded_part_of_the_object(subject: Subject) -> None:
    """40 MiB through each store with the traced peak far below the object's size."""
    piece = os.urandom(64 * 1024)

    def chunks() -> Iterator[bytes]:
        for index in range(640):
            yield index.to_bytes(4, "big") + piece[4:]

    tracemalloc.start()
    try:
        locator = subject.store.put_stream(new_key(), chunks())
        put_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        total = sum(len(chunk) for chunk in subject.store.get_stream(locator))
        get_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert total == 640 * 64 * 1024
    assert put_peak < 20 * MB  # S3 holds one 8 MiB part (and its copy); the others ~1 chunk
    assert get_peak < 4 * MB


def test_a_failing_stream_leaves_no_object_behind(subject: Subject) -> None:
    key = new_key()

    def chunks() -> Iterator[bytes]:
        yield os.urandom(9 * MB)  # past one S3 part: the multipart upload has begun
        raise RuntimeError("the source broke")

    with pytest.raises(RuntimeError, match="the source broke"):
        subject.store.put_stream(key, chunks())
    if subject.store.name != "ipfs":  # IPFS locators are content ids: nothing names it
        with pytest.raises(KeyError):
            subject.store.get(key)


def test_s3_aborts_the_multipart_upload_of_a_failing_stream(s3_store: S3BlobStore) -> None:
    def chunks() -> Iterator[bytes]:
        yield os.urandom(9 * MB)
        raise RuntimeError("the source broke")

    with pytest.raises(RuntimeError):
        s3_store.put_stream(new_key(), chunks())
    uploads = s3_store._client.list_multipart_uploads(Bucket=s3_store.bucket)
    assert uploads.get("Uploads", []) == []


# --- local --------------------------------------------------------------------------------

HOSTILE_KEYS = [
    "../x",
    "documents/../../x",
    "/etc/passwd",
    "a\\b",
    "a\x00b",
    "",
    "a//b",
    "./a",
    "a/.",
    "a/",
    "documents/é/1",
    "a b",
    "C:x",
]


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_local_store_refuses_hostile_keys(tmp_path: Path, key: str) -> None:
    store = LocalBlobStore(tmp_path / "root")

    with pytest.raises(ValueError, match="storage key"):
        store.put(key, b"x")
    with pytest.raises(ValueError, match="storage key"):
        store.get(key)
    with pytest.raises(ValueError, match="storage key"):
        store.delete(key)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_local_store_does_not_follow_a_symlink_out_of_its_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "documents").symlink_to(outside)
    store = LocalBlobStore(root)

    with pytest.raises(ValueError, match="outside the storage root"):
        store.put("documents/x/1", b"x")
    assert list(outside.iterdir()) == []


def test_local_store_writes_files_under_its_root_without_leftovers(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)

    for version in range(5):
        store.put("documents/d1/1", f"version {version}".encode())

    assert store.get("documents/d1/1") == b"version 4"
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == ["documents/d1/1"]


def test_local_store_keeps_the_old_bytes_when_a_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalBlobStore(tmp_path)
    store.put("documents/d1/1", b"committed")

    def failing_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        store.put("documents/d1/1", b"half written")
    monkeypatch.undo()

    assert store.get("documents/d1/1") == b"committed"
    assert [p.name for p in (tmp_path / "documents" / "d1").iterdir()] == ["1"]


# --- s3 -----------------------------------------------------------------------------------


def test_s3_ensure_bucket_is_idempotent(moto_s3: str, monkeypatch: pytest.MonkeyPatch) -> None:
    use_aws_test_env(monkeypatch)
    store = S3BlobStore(f"docs-{uuid.uuid4().hex[:12]}", endpoint_url=moto_s3)

    store.ensure_bucket()
    store.ensure_bucket()

    assert store.get(store.put("a/b", b"x")) == b"x"


def test_s3_ensure_bucket_outside_us_east_1(moto_s3: str, monkeypatch: pytest.MonkeyPatch) -> None:
    use_aws_test_env(monkeypatch)
    store = S3BlobStore(f"docs-{uuid.uuid4().hex[:12]}", endpoint_url=moto_s3, region="eu-west-1")

    store.ensure_bucket()
    store.ensure_bucket()

    assert store.get(store.put("a/b", b"x")) == b"x"


def test_s3_probe_answers_for_an_existing_bucket(s3_store: S3BlobStore, moto_s3: str) -> None:
    S3Probe(s3_store.bucket, endpoint_url=moto_s3).check()


def test_s3_probe_fails_for_a_missing_bucket(
    moto_s3: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_aws_test_env(monkeypatch)

    with pytest.raises(ClientError):
        S3Probe("no-such-bucket", endpoint_url=moto_s3).check()


def test_s3_probe_fails_fast_against_a_closed_port(
    closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_aws_test_env(monkeypatch)
    probe = S3Probe("docs", endpoint_url=f"http://127.0.0.1:{closed_port}", timeout=2)

    with pytest.raises(BotoCoreError):
        probe.check()


# --- ipfs ---------------------------------------------------------------------------------


def test_ipfs_locator_is_a_base32_cidv1_of_the_content(ipfs_store: IpfsBlobStore) -> None:
    first = ipfs_store.put(new_key(), b"same bytes")
    second = ipfs_store.put(new_key(), b"same bytes")

    assert first == second
    assert first.startswith("bafk")


def test_ipfs_delete_then_garbage_collection_removes_the_blocks(
    ipfs_store: IpfsBlobStore,
    ipfs_daemon: str,
) -> None:
    locator = ipfs_store.put(new_key(), os.urandom(1000))

    ipfs_store.delete(locator)
    gc = httpx.post(f"{ipfs_daemon}/api/v0/repo/gc", timeout=30)

    assert gc.is_success
    assert locator in gc.text
    with pytest.raises(KeyError):
        ipfs_store.get(locator)


@pytest.mark.parametrize("locator", ["documents/x/1", "", "bafk/../etc", "Qm?arg=x"])
def test_ipfs_refuses_locators_that_are_not_cids(ipfs_store: IpfsBlobStore, locator: str) -> None:
    with pytest.raises(ValueError, match="not an IPFS CID"):
        ipfs_store.get(locator)
    with pytest.raises(ValueError, match="not an IPFS CID"):
        ipfs_store.delete(locator)


def test_ipfs_probe_answers(ipfs_daemon: str) -> None:
    IpfsProbe(ipfs_daemon).check()


def test_ipfs_probe_fails_against_a_closed_port(closed_port: int) -> None:
    with pytest.raises(httpx.ConnectError):
        IpfsProbe(f"http://127.0.0.1:{closed_port}", timeout=2).check()
