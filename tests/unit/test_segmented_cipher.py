"""The segmented AES-256-GCM stream: round trips at the segment edges, and every way of
cutting, reordering, altering or moving a sealed stream fails with `ValueError`."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable

import pytest

from app.adapters.crypto.envelope import AesGcmEnvelopeCipher
from app.adapters.crypto.segmented import HEADER_BYTES, MAGIC, SEGMENT_BYTES, TAG_BYTES
from app.ports.storage import SealedKey

K1 = hashlib.sha256(b"test master key k1").digest()
K2 = hashlib.sha256(b"test master key k2").digest()
AD = b"report:0193a1f0"
SEALED_SEGMENT = SEGMENT_BYTES + TAG_BYTES
SIZES = [0, 1, 65535, 65536, 65537, 3 * SEGMENT_BYTES, 3 * SEGMENT_BYTES - 7]


def cipher() -> AesGcmEnvelopeCipher:
    return AesGcmEnvelopeCipher({"k1": K1, "k2": K2}, "k1")


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def seal(data: bytes, ad: bytes = AD, piece: int = 10_000) -> tuple[SealedKey, bytes]:
    key, stream = cipher().seal_stream(pieces(data, piece), ad)
    return key, b"".join(stream)


def open_all(key: SealedKey, chunks: Iterable[bytes], ad: bytes = AD) -> bytes:
    return b"".join(cipher().open_stream(key, chunks, ad))


def segments(blob: bytes) -> tuple[bytes, list[bytes]]:
    return blob[:HEADER_BYTES], pieces(blob[HEADER_BYTES:], SEALED_SEGMENT)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("piece", [1000, 65536, 200_000])
def test_round_trip_whatever_the_pieces(size: int, piece: int) -> None:
    data = os.urandom(size)
    key, blob = seal(data, piece=piece)
    expected_segments = max(1, -(-size // SEGMENT_BYTES))
    assert len(blob) == HEADER_BYTES + size + TAG_BYTES * expected_segments
    assert blob.startswith(MAGIC)
    assert open_all(key, pieces(blob, 777)) == data
    assert open_all(key, [blob]) == data


def test_segments_are_64_kib_but_the_last_and_the_header_is_first() -> None:
    _, blob = seal(os.urandom(3 * SEGMENT_BYTES))
    _header, parts = segments(blob)
    assert [len(p) for p in parts] == [SEALED_SEGMENT] * 3


def test_a_fresh_data_key_and_prefix_per_object() -> None:
    data = b"same bytes" * 1000
    (k1, b1), (k2, b2) = seal(data), seal(data)
    assert k1.wrapped_key != k2.wrapped_key
    assert b1[:HEADER_BYTES] != b2[:HEADER_BYTES]
    assert b1[HEADER_BYTES:] != b2[HEADER_BYTES:]
    assert k1.key_id == "k1"


def test_the_plaintext_does_not_appear() -> None:
    marker = b"CARBON-PLAINTEXT-MARKER-" * 5000
    _, blob = seal(marker)
    assert b"CARBON-PLAINTEXT" not in blob


def _fails(key: SealedKey, blob: bytes, ad: bytes = AD) -> None:
    with pytest.raises(ValueError, match=r"truncated|authentication|known version"):
        open_all(key, pieces(blob, 4096), ad)


@pytest.mark.parametrize("size", SIZES)
def test_any_altered_byte_fails(size: int) -> None:
    key, blob = seal(os.urandom(size))
    for position in {0, 4, 5, HEADER_BYTES - 1, HEADER_BYTES, len(blob) // 2, len(blob) - 1}:
        altered = bytearray(blob)
        altered[position] ^= 0x01
        _fails(key, bytes(altered))


def test_truncating_the_last_segment_fails() -> None:
    key, blob = seal(os.urandom(3 * SEGMENT_BYTES - 100))
    header, parts = segments(blob)
    _fails(key, header + b"".join(parts[:-1]))  # cut at a segment boundary
    _fails(key, blob[:-1])
    _fails(key, blob[: len(blob) - len(parts[-1]) + 5])
    _fails(key, header)
    _fails(key, header[:-1])
    _fails(key, b"")


def test_dropping_duplicating_or_reordering_segments_fails() -> None:
    key, blob = seal(os.urandom(3 * SEGMENT_BYTES + 10))
    header, parts = segments(blob)
    _fails(key, header + parts[0] + parts[2] + parts[3])
    _fails(key, header + parts[1] + parts[0] + parts[2] + parts[3])
    _fails(key, header + parts[0] + parts[0] + parts[1] + parts[2] + parts[3])
    _fails(key, blob + parts[3])  # something after the last segment


def test_swapping_segments_between_objects_fails() -> None:
    key_a, blob_a = seal(os.urandom(2 * SEGMENT_BYTES + 10))
    key_b, blob_b = seal(os.urandom(2 * SEGMENT_BYTES + 10))
    header_a, parts_a = segments(blob_a)
    header_b, parts_b = segments(blob_b)
    _fails(key_a, header_a + parts_b[0] + parts_a[1] + parts_a[2])
    _fails(key_a, header_b + b"".join(parts_a))  # another object's header (prefix)
    _fails(key_a, blob_b)
    _fails(key_b, blob_a)


def test_wrong_associated_data_fails_for_the_key_and_the_segments() -> None:
    key, blob = seal(os.urandom(100_000))
    _fails(key, blob, b"report:other")
    # A data key re-wrapped for the other ids still leaves the segments bound to theirs.
    other_key, _ = seal(b"", b"report:other")
    _fails(other_key, blob, b"report:other")


def test_wrong_or_unknown_master_key_fails() -> None:
    key, blob = seal(b"x" * 100)
    _fails(SealedKey(key.wrapped_key, "k2"), blob)
    with pytest.raises(ValueError, match="unknown master key"):
        cipher().open_stream(SealedKey(key.wrapped_key, "k9"), [blob], AD)


def test_a_stream_of_another_format_is_refused() -> None:
    key, blob = seal(b"x" * 100)
    with pytest.raises(ValueError, match="known version"):
        open_all(key, [b"cseg\x02" + blob[5:]])


def test_plaintext_is_released_segment_by_segment() -> None:
    data = os.urandom(5 * SEGMENT_BYTES)
    key, stream = cipher().seal_stream(pieces(data, SEGMENT_BYTES), AD)
    opened = cipher().open_stream(key, stream, AD)
    assert next(opened) == data[:SEGMENT_BYTES]
    assert b"".join(opened) == data[SEGMENT_BYTES:]
