"""Segmented AES-256-GCM: a stream sealed and opened in constant memory.

The data key is fresh per object and wrapped by the master key exactly as `seal` wraps
it (`AesGcmEnvelopeCipher`); the wrapped key and its key id go to the database row, the
stream below to the blob store.

Stream format (version 1):

    header   = b"cseg" || 0x01 || prefix            (12 bytes; prefix: 7 random bytes)
    segment  = AES-GCM(data key, nonce_i, plaintext_i, aad)   (ciphertext || 16-byte tag)
    stream   = header || segment_0 || segment_1 || ... || segment_n

- The plaintext is cut in segments of exactly 64 KiB, except the last one, which holds
  the rest: 1..65536 bytes, or 0 bytes only for an empty plaintext (there is always one
  segment). A segment on the wire is thus 65552 bytes, the last one 16..65552.
- nonce_i = prefix || i as 4-byte big-endian || 0x01 for the last segment, 0x00 otherwise.
  The counter makes reordering, dropping or duplicating a segment fail; the flag makes
  cutting the stream at a segment boundary fail (the segment read last was not sealed
  as the last one), and appending after the last segment fails too.
- aad = b"carbon-seg\\0" || header || the object's associated data, for every segment:
  a segment moved from another object fails (other data key, other associated data),
  and so does an object opened under other ids. At most 2**32 segments (256 TiB).

Opening releases a segment's plaintext only after its tag has been checked; the end of
the stream is known to be genuine only when the iterator is exhausted without error.
Every failure is the cipher's usual `ValueError`."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"cseg\x01"
PREFIX_BYTES = 7
HEADER_BYTES = len(MAGIC) + PREFIX_BYTES
SEGMENT_BYTES = 64 * 1024
TAG_BYTES = 16
_SEALED_SEGMENT = SEGMENT_BYTES + TAG_BYTES
_MAX_SEGMENTS = 2**32
_AAD_CONTEXT = b"carbon-seg\0"
_FAILED = "the object failed authentication (altered, or bound to other data)"


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index >= _MAX_SEGMENTS:
        raise ValueError("the object has more segments than the format allows")
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def seal_segments(
    data_key: bytes, chunks: Iterable[bytes], associated_data: bytes
) -> Iterator[bytes]:
    """The sealed stream of the concatenated `chunks` (header first), lazily."""
    aead = AESGCM(data_key)
    prefix = os.urandom(PREFIX_BYTES)
    header = MAGIC + prefix
    aad = _AAD_CONTEXT + header + associated_data
    yield header
    buffer = bytearray()
    index = 0
    for chunk in chunks:
        buffer += chunk
        # Keep more than one segment back: the last one is known only at the end.
        while len(buffer) > SEGMENT_BYTES:
            yield aead.encrypt(_nonce(prefix, index, False), bytes(buffer[:SEGMENT_BYTES]), aad)
            del buffer[:SEGMENT_BYTES]
            index += 1
    yield aead.encrypt(_nonce(prefix, index, True), bytes(buffer), aad)


def open_segments(
    data_key: bytes, chunks: Iterable[bytes], associated_data: bytes
) -> Iterator[bytes]:
    """The plaintext of a sealed stream, segment by segment, each one authenticated."""
    aead = AESGCM(data_key)
    buffer = bytearray()
    source = iter(chunks)
    while len(buffer) < HEADER_BYTES and _more(buffer, source):
        pass
    if len(buffer) < HEADER_BYTES:
        raise ValueError("the object is truncated")
    header = bytes(buffer[:HEADER_BYTES])
    del buffer[:HEADER_BYTES]
    if not header.startswith(MAGIC):
        raise ValueError("the object is not a sealed stream of a known version")
    prefix = header[len(MAGIC) :]
    aad = _AAD_CONTEXT + header + associated_data
    index = 0
    while True:
        # Keep more than one segment back: the last one is known only at the end.
        while len(buffer) > _SEALED_SEGMENT:
            yield _open(aead, _nonce(prefix, index, False), bytes(buffer[:_SEALED_SEGMENT]), aad)
            del buffer[:_SEALED_SEGMENT]
            index += 1
        if not _more(buffer, source):
            break
    if len(buffer) < TAG_BYTES:
        raise ValueError("the object is truncated")
    yield _open(aead, _nonce(prefix, index, True), bytes(buffer), aad)


def _more(buffer: bytearray, source: Iterator[bytes]) -> bool:
    """Append the next chunk to `buffer`; False at the end of the stream."""
    chunk = next(source, None)
    if chunk is None:
        return False
    buffer += chunk
    return True


def _open(aead: AESGCM, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    try:
        return aead.decrypt(nonce, sealed, aad)
    except InvalidTag:
        raise ValueError(_FAILED) from None
