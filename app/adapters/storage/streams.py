"""A read-only file over an iterator of byte chunks, for clients that upload from files."""

from __future__ import annotations

from collections.abc import Iterable


class ChunkReader:
    """`read(size)` over `chunks`, holding at most one chunk beyond what was asked."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        parts = [self._pending]
        held = len(self._pending)
        while size < 0 or held < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            parts.append(chunk)
            held += len(chunk)
        data = b"".join(parts)
        if size < 0:
            size = len(data)
        self._pending = data[size:]
        self.read_bytes += min(size, len(data))
        return data[:size]
