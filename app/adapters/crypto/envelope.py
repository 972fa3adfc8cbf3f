"""Envelope encryption with AES-256-GCM (`cryptography`'s AESGCM).

Each `seal` draws a fresh 256-bit data key and encrypts the object with it; the data key
is then encrypted ("wrapped") by the active master key. Both layers are authenticated and
bound to the caller's associated data; the wrapping also binds the master key id, so a
wrapped key cannot be moved to another object nor relabelled with another key id.
Rotation (`rewrap`) re-encrypts the 32-byte data key only, never the object itself.
`seal_stream` / `open_stream` do the same for streams, in the segmented format of
`app.adapters.crypto.segmented`, with the data key wrapped exactly as by `seal`."""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.adapters.crypto.segmented import open_segments, seal_segments
from app.ports.storage import SealedKey, SealedObject

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_WRAP_CONTEXT = b"carbon-dek\0"
_KEY_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


class AesGcmEnvelopeCipher:
    """`EnvelopeCipher` over a key ring of 256-bit master keys, one of them active."""

    def __init__(self, master_keys: dict[str, bytes], active_key_id: str) -> None:
        if not master_keys:
            raise ValueError("the master key ring is empty")
        for key_id, key in master_keys.items():
            _check_key_id(key_id)
            if len(key) != KEY_BYTES:
                raise ValueError(f"master key {key_id!r} must be {KEY_BYTES} bytes, not {len(key)}")
        if active_key_id not in master_keys:
            raise ValueError(f"the active master key {active_key_id!r} is not in the key ring")
        self._ring = {key_id: AESGCM(key) for key_id, key in master_keys.items()}
        self._active_key_id = active_key_id

    @property
    def active_key_id(self) -> str:
        return self._active_key_id

    def seal(self, plaintext: bytes, associated_data: bytes) -> SealedObject:
        data_key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        ciphertext = _encrypt(AESGCM(data_key), plaintext, associated_data)
        return self._wrap(data_key, associated_data, ciphertext)

    def open(self, sealed: SealedObject, associated_data: bytes) -> bytes:
        return self._open(sealed, associated_data)[1]

    def seal_stream(
        self, chunks: Iterable[bytes], associated_data: bytes
    ) -> tuple[SealedKey, Iterator[bytes]]:
        data_key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        wrapped = self._wrap(data_key, associated_data, b"")
        key = SealedKey(wrapped.wrapped_key, wrapped.key_id)
        return key, seal_segments(data_key, chunks, associated_data)

    def open_stream(
        self, key: SealedKey, chunks: Iterable[bytes], associated_data: bytes
    ) -> Iterator[bytes]:
        # Unwrapped at once: a wrong key id or other ids fail before any byte is read.
        data_key = self._unwrap(SealedObject(b"", key.wrapped_key, key.key_id), associated_data)
        return open_segments(data_key, chunks, associated_data)

    def rewrap(self, sealed: SealedObject, associated_data: bytes) -> SealedObject:
        # Opened in full, not just unwrapped: unwrapping authenticates the key, not the
        # ciphertext, and a rotation must never bless an object that could not be opened.
        data_key, _ = self._open(sealed, associated_data)
        return self._wrap(data_key, associated_data, sealed.ciphertext)

    def _open(self, sealed: SealedObject, associated_data: bytes) -> tuple[bytes, bytes]:
        """The data key and the plaintext, both authenticated."""
        data_key = self._unwrap(sealed, associated_data)
        plaintext = _decrypt(AESGCM(data_key), sealed.ciphertext, associated_data, "object")
        return data_key, plaintext

    def _wrap(self, data_key: bytes, associated_data: bytes, ciphertext: bytes) -> SealedObject:
        key_id = self._active_key_id
        wrapped = _encrypt(self._ring[key_id], data_key, _wrap_aad(key_id, associated_data))
        return SealedObject(ciphertext=ciphertext, wrapped_key=wrapped, key_id=key_id)

    def _unwrap(self, sealed: SealedObject, associated_data: bytes) -> bytes:
        master = self._ring.get(sealed.key_id)
        if master is None:
            raise ValueError(f"unknown master key id {sealed.key_id!r}")
        aad = _wrap_aad(sealed.key_id, associated_data)
        data_key = _decrypt(master, sealed.wrapped_key, aad, "wrapped data key")
        if len(data_key) != KEY_BYTES:
            raise ValueError("the wrapped data key has the wrong length")
        return data_key


def _wrap_aad(key_id: str, associated_data: bytes) -> bytes:
    return _WRAP_CONTEXT + key_id.encode("ascii") + b"\0" + associated_data


def _encrypt(aead: AESGCM, plaintext: bytes, associated_data: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + aead.encrypt(nonce, plaintext, associated_data)


def _decrypt(aead: AESGCM, blob: bytes, associated_data: bytes, what: str) -> bytes:
    if not isinstance(blob, bytes | bytearray | memoryview):
        raise ValueError(f"the {what} is not bytes")
    blob = bytes(blob)
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise ValueError(f"the {what} is truncated")
    try:
        return aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated_data)
    except InvalidTag:
        raise ValueError(
            f"the {what} failed authentication (altered, or bound to other data)"
        ) from None


def _check_key_id(key_id: str) -> None:
    if not isinstance(key_id, str) or not _KEY_ID_RE.fullmatch(key_id):
        raise ValueError(
            f"master key id {key_id!r} must be 1-64 characters of letters, digits, '.', '_', '-'"
        )


def parse_master_keys(text: str) -> dict[str, bytes]:
    """Parse `MASTER_KEYS`: comma-separated `id:<base64 of 32 bytes>` entries."""
    ring: dict[str, bytes] = {}
    entries = [entry.strip() for entry in text.split(",")]
    if not any(entries):
        raise ValueError("MASTER_KEYS is empty: expected 'id:<base64 of 32 bytes>,...'")
    for position, entry in enumerate(entries, start=1):
        key_id, sep, encoded = entry.partition(":")
        key_id, encoded = key_id.strip(), encoded.strip()
        if not sep or not key_id or not encoded:
            raise ValueError(
                f"MASTER_KEYS entry {position} must look like 'id:<base64 of 32 bytes>'"
            )
        _check_key_id(key_id)
        if key_id in ring:
            raise ValueError(f"MASTER_KEYS has the key id {key_id!r} more than once")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"MASTER_KEYS key {key_id!r} is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise ValueError(
                f"MASTER_KEYS key {key_id!r} decodes to {len(key)} bytes; it must be {KEY_BYTES}"
            )
        ring[key_id] = key
    return ring


def generate_master_key() -> str:
    """A new master key, base64 of 32 random bytes, for `MASTER_KEYS`."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")
