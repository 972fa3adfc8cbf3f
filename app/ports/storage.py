"""Object storage and envelope encryption for documents.

Documents are encrypted before they reach a `BlobStore`, so no backend ever holds
plaintext: AES-256-GCM with a fresh data key per object version, that data key
wrapped by a master key from a key ring (rotation re-wraps data keys, never the data).

Large objects (reports) are sealed and stored as streams, in constant memory: the
segmented format is described in `app/adapters/crypto/segmented.py`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol


class BlobStore(Protocol):
    name: str  # "local" | "s3" | "ipfs"

    def put(self, key: str, data: bytes) -> str:
        """Store bytes under our key; returns the locator to read them back (the key
        itself, or a content id for IPFS). Writing the same key again replaces it."""
        ...

    def get(self, locator: str) -> bytes:
        """The stored bytes; raises KeyError when there are none."""
        ...

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> str:
        """`put` of the concatenated chunks, holding only a bounded part of them at once."""
        ...

    def get_stream(self, locator: str) -> Iterator[bytes]:
        """The stored bytes in chunks of bounded size; raises KeyError (when the iterator
        is first advanced at the latest) when there are none."""
        ...

    def delete(self, locator: str) -> None:
        """Remove the object (missing is fine)."""
        ...


@dataclass(frozen=True)
class SealedObject:
    """What envelope encryption produces: the ciphertext goes to the blob store, the
    rest to the database row."""

    ciphertext: bytes  # 12-byte nonce followed by the AES-GCM output (with its tag)
    wrapped_key: bytes  # the data key, itself AES-GCM encrypted under the master key
    key_id: str  # which master key wrapped it


@dataclass(frozen=True)
class SealedKey:
    """The database side of a sealed stream: the wrapped data key and its master key id
    (the stream itself, header and segments, goes to the blob store)."""

    wrapped_key: bytes
    key_id: str


class EnvelopeCipher(Protocol):
    def seal(self, plaintext: bytes, associated_data: bytes) -> SealedObject:
        """Encrypt with a fresh data key, bound to `associated_data` (ids of the object)."""
        ...

    def open(self, sealed: SealedObject, associated_data: bytes) -> bytes:
        """Decrypt; raises ValueError if anything was altered or the data is not bound
        to `associated_data`."""
        ...

    def seal_stream(
        self, chunks: Iterable[bytes], associated_data: bytes
    ) -> tuple[SealedKey, Iterator[bytes]]:
        """Encrypt a stream with a fresh data key, bound to `associated_data`: the wrapped
        key at once, and the ciphertext lazily as the returned iterator is consumed."""
        ...

    def open_stream(
        self, key: SealedKey, chunks: Iterable[bytes], associated_data: bytes
    ) -> Iterator[bytes]:
        """Decrypt a sealed stream lazily. Each plaintext segment is released only once
        authenticated; truncation is detected at the end. Raises ValueError (as `open`)
        if anything was altered, cut, reordered or is not bound to `associated_data`."""
        ...

    def rewrap(self, sealed: SealedObject, associated_data: bytes) -> SealedObject:
        """The same ciphertext with its data key wrapped by the active master key."""
        ...

    @property
    def active_key_id(self) -> str: ...
