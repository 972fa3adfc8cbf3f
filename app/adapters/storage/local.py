"""`BlobStore` on a local directory, with atomic writes.

Keys are our own ids (`documents/<doc_id>/<version>`) but are treated as untrusted: only
relative paths of `[A-Za-z0-9._/-]` without empty, `.` or `..` segments are accepted, so
no key can name a file outside the root."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

_KEY_RE = re.compile(r"[A-Za-z0-9._/-]+")
_MAX_KEY_LENGTH = 1024
_TEMP_PREFIX = ".tmp-"
CHUNK_BYTES = 64 * 1024


class LocalBlobStore:
    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def put(self, key: str, data: bytes) -> str:
        return self.put_stream(key, (data,))

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> str:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        _fsync_directory(target.parent)
        return key

    def get(self, locator: str) -> bytes:
        path = self._path(locator)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise KeyError(locator) from None

    def get_stream(self, locator: str) -> Iterator[bytes]:
        path = self._path(locator)
        try:
            handle = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise KeyError(locator) from None
        return _read_chunks(handle)

    def delete(self, locator: str) -> None:
        path = self._path(locator)
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            path.unlink()

    def _path(self, key: str) -> Path:
        check_key(key)
        path = self.root.joinpath(*key.split("/"))
        # Defence in depth: a symlink planted inside the root must not lead out of it.
        if not path.resolve().is_relative_to(self.root):
            raise ValueError(f"storage key {key!r} resolves outside the storage root")
        return path


def _read_chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


def check_key(key: str) -> None:
    """Refuse keys that are not plain relative paths of safe characters."""
    if not isinstance(key, str) or not key or len(key) > _MAX_KEY_LENGTH:
        raise ValueError("a storage key must be a non-empty string of at most 1024 characters")
    if not _KEY_RE.fullmatch(key):
        raise ValueError(f"storage key {key!r} has characters outside [A-Za-z0-9._/-]")
    segments = key.split("/")
    if any(segment in {"", ".", ".."} for segment in segments):
        raise ValueError(f"storage key {key!r} must be a relative path without '', '.' or '..'")
    if any(segment.startswith(_TEMP_PREFIX) for segment in segments):
        raise ValueError(f"storage key {key!r} uses the reserved prefix {_TEMP_PREFIX!r}")


def _fsync_directory(directory: Path) -> None:
    """Persist the rename itself (POSIX); not possible on every platform."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
