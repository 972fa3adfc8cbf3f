"""The platform's one content hash: SHA-256, written as lowercase hex."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 of `data` (documents, proof bundles, the audit chain, stored
    secrets)."""
    return hashlib.sha256(data).hexdigest()


class StreamDigest:
    """`sha256_hex` and the length of bytes seen piece by piece (a stream never held whole)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.size = 0

    def through(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """The chunks unchanged, each one counted and hashed as it passes."""
        for chunk in chunks:
            self._hash.update(chunk)
            self.size += len(chunk)
            yield chunk

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
