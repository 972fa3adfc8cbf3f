"""AES-256-GCM envelope encryption: confidentiality, tamper evidence, binding to the
object's ids, key rotation, and the `MASTER_KEYS` format."""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import replace

import pytest

from app.adapters.crypto.envelope import (
    AesGcmEnvelopeCipher,
    generate_master_key,
    parse_master_keys,
)
from app.ports.storage import SealedObject

# Fixed test keys: the parametrized ids below contain them, and pytest-xdist workers must
# collect the same ids.
K1 = hashlib.sha256(b"test master key k1").digest()
K2 = hashlib.sha256(b"test master key k2").digest()
AD = b"document:0193a1f0:version:1"
# 1 KB that is easy to spot: any 16-byte window of it inside an output would be a leak.
PLAINTEXT = (b"CARBON-PLAINTEXT-MARKER-" * 43)[:1024]


def cipher(active: str = "k1", **ring: bytes) -> AesGcmEnvelopeCipher:
    return AesGcmEnvelopeCipher(ring or {"k1": K1}, active)


def flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


def sample_positions(length: int, count: int = 50) -> list[int]:
    """The nonce, the last 16 bytes (the GCM tag) and random positions in between."""
    edges = list(range(12)) + list(range(length - 16, length))
    middle = random.Random(length).sample(range(12, length - 16), count - len(edges))
    return sorted(edges + middle)


def test_seal_then_open_returns_the_plaintext() -> None:
    envelope = cipher()

    sealed = envelope.seal(PLAINTEXT, AD)

    assert sealed.key_id == "k1"
    assert len(sealed.ciphertext) == 12 + len(PLAINTEXT) + 16
    assert len(sealed.wrapped_key) == 12 + 32 + 16
    assert envelope.open(sealed, AD) == PLAINTEXT


def test_empty_plaintext_round_trips() -> None:
    envelope = cipher()

    assert envelope.open(envelope.seal(b"", AD), AD) == b""


def test_each_seal_uses_a_fresh_data_key_and_nonce() -> None:
    envelope = cipher()

    first, second = envelope.seal(PLAINTEXT, AD), envelope.seal(PLAINTEXT, AD)

    assert first.ciphertext != second.ciphertext
    assert first.wrapped_key != second.wrapped_key
    assert first.ciphertext[:12] != second.ciphertext[:12]


def test_no_plaintext_bytes_show_in_the_ciphertext_or_the_wrapped_key() -> None:
    envelope = cipher()

    sealed = envelope.seal(PLAINTEXT, AD)

    windows = {PLAINTEXT[i : i + 16] for i in range(len(PLAINTEXT) - 16)}
    for output in (sealed.ciphertext, sealed.wrapped_key):
        assert not any(window in output for window in windows)
        assert b"CARBON" not in output
        assert K1 not in output


def test_flipping_any_byte_of_the_ciphertext_is_detected() -> None:
    envelope = cipher()
    sealed = envelope.seal(PLAINTEXT, AD)

    for position in sample_positions(len(sealed.ciphertext)):
        tampered = replace(sealed, ciphertext=flip(sealed.ciphertext, position))
        with pytest.raises(ValueError, match="object failed authentication"):
            envelope.open(tampered, AD)


def test_flipping_any_byte_of_the_wrapped_key_is_detected() -> None:
    envelope = cipher()
    sealed = envelope.seal(PLAINTEXT, AD)

    for position in range(len(sealed.wrapped_key)):
        tampered = replace(sealed, wrapped_key=flip(sealed.wrapped_key, position))
        with pytest.raises(ValueError, match="wrapped data key failed authentication"):
            envelope.open(tampered, AD)


@pytest.mark.parametrize("cut", [0, 1, 12, 27])
def test_truncated_ciphertext_or_wrapped_key_is_a_value_error(cut: int) -> None:
    envelope = cipher()
    sealed = envelope.seal(PLAINTEXT, AD)

    with pytest.raises(ValueError, match=r"truncated|failed authentication"):
        envelope.open(replace(sealed, ciphertext=sealed.ciphertext[:cut]), AD)
    with pytest.raises(ValueError, match=r"truncated|failed authentication"):
        envelope.open(replace(sealed, wrapped_key=sealed.wrapped_key[:cut]), AD)


def test_opening_with_other_associated_data_fails() -> None:
    envelope = cipher()
    sealed = envelope.seal(PLAINTEXT, AD)

    with pytest.raises(ValueError, match="failed authentication"):
        envelope.open(sealed, b"document:0193a1f0:version:2")


def test_swapping_ciphertexts_between_objects_fails() -> None:
    envelope = cipher()
    ad_a, ad_b = b"document:a:version:1", b"document:b:version:1"
    a, b = envelope.seal(b"contract A", ad_a), envelope.seal(b"contract B", ad_b)

    with pytest.raises(ValueError, match="object failed authentication"):
        envelope.open(replace(a, ciphertext=b.ciphertext), ad_a)
    with pytest.raises(ValueError, match="object failed authentication"):
        envelope.open(replace(b, ciphertext=a.ciphertext), ad_b)


def test_swapping_wrapped_keys_between_objects_fails() -> None:
    envelope = cipher()
    ad_a, ad_b = b"document:a:version:1", b"document:b:version:1"
    a, b = envelope.seal(b"contract A", ad_a), envelope.seal(b"contract B", ad_b)

    with pytest.raises(ValueError, match="wrapped data key failed authentication"):
        envelope.open(replace(a, wrapped_key=b.wrapped_key), ad_a)
    # Moving the whole object under the other ids is caught as well.
    with pytest.raises(ValueError, match="failed authentication"):
        envelope.open(b, ad_a)


def test_a_wrapped_key_relabelled_with_another_key_id_fails() -> None:
    # Same key bytes under two ids: only the id bound in the wrapping can open it.
    envelope = AesGcmEnvelopeCipher({"k1": K1, "k1-copy": K1}, "k1")
    sealed = envelope.seal(PLAINTEXT, AD)

    with pytest.raises(ValueError, match="wrapped data key failed authentication"):
        envelope.open(replace(sealed, key_id="k1-copy"), AD)


def test_unknown_key_id_is_a_value_error() -> None:
    sealed = cipher().seal(PLAINTEXT, AD)

    with pytest.raises(ValueError, match="unknown master key id 'k9'"):
        cipher().open(replace(sealed, key_id="k9"), AD)


def test_object_sealed_under_a_key_missing_from_the_ring_cannot_be_opened() -> None:
    sealed = cipher().seal(PLAINTEXT, AD)
    other_ring = AesGcmEnvelopeCipher({"k2": K2}, "k2")

    with pytest.raises(ValueError, match="unknown master key id 'k1'"):
        other_ring.open(sealed, AD)


def test_the_same_key_id_with_other_key_bytes_cannot_open() -> None:
    sealed = cipher().seal(PLAINTEXT, AD)

    with pytest.raises(ValueError, match="failed authentication"):
        AesGcmEnvelopeCipher({"k1": K2}, "k1").open(sealed, AD)


def test_rotation_rewraps_the_data_key_and_leaves_the_ciphertext_untouched() -> None:
    old = cipher().seal(PLAINTEXT, AD)
    rotated_ring = AesGcmEnvelopeCipher({"k1": K1, "k2": K2}, "k2")

    new = rotated_ring.rewrap(old, AD)

    assert new.key_id == "k2"
    assert new.ciphertext == old.ciphertext
    assert new.wrapped_key != old.wrapped_key
    assert rotated_ring.open(new, AD) == PLAINTEXT
    # Once every object is rewrapped, k1 can leave the ring.
    assert AesGcmEnvelopeCipher({"k2": K2}, "k2").open(new, AD) == PLAINTEXT


def test_objects_not_yet_rewrapped_still_open_while_k2_is_active() -> None:
    old = cipher().seal(PLAINTEXT, AD)
    rotated_ring = AesGcmEnvelopeCipher({"k1": K1, "k2": K2}, "k2")

    assert rotated_ring.active_key_id == "k2"
    assert rotated_ring.open(old, AD) == PLAINTEXT
    assert rotated_ring.seal(PLAINTEXT, AD).key_id == "k2"


def test_rewrap_refuses_a_tampered_object() -> None:
    old = cipher().seal(PLAINTEXT, AD)
    rotated_ring = AesGcmEnvelopeCipher({"k1": K1, "k2": K2}, "k2")

    with pytest.raises(ValueError, match="object failed authentication"):
        rotated_ring.rewrap(replace(old, ciphertext=flip(old.ciphertext, 40)), AD)
    with pytest.raises(ValueError, match="failed authentication"):
        rotated_ring.rewrap(old, b"other ids")


def test_rewrap_under_the_same_active_key_still_opens() -> None:
    envelope = cipher()
    sealed = envelope.seal(PLAINTEXT, AD)

    again = envelope.rewrap(sealed, AD)

    assert again.key_id == "k1"
    assert again.ciphertext == sealed.ciphertext
    assert envelope.open(again, AD) == PLAINTEXT


def test_a_sealed_object_read_back_as_memoryview_opens() -> None:
    envelope = cipher()
    sealed = envelope.seal(PLAINTEXT, AD)
    from_db = SealedObject(
        ciphertext=memoryview(sealed.ciphertext),  # type: ignore[arg-type]
        wrapped_key=bytearray(sealed.wrapped_key),  # type: ignore[arg-type]
        key_id=sealed.key_id,
    )

    assert envelope.open(from_db, AD) == PLAINTEXT


@pytest.mark.parametrize(
    ("ring", "active", "message"),
    [
        ({}, "k1", "empty"),
        ({"k1": K1}, "k2", "active master key 'k2' is not in the key ring"),
        ({"k1": b"short"}, "k1", "must be 32 bytes, not 5"),
        ({"bad id": K1}, "bad id", "master key id 'bad id'"),
        ({"": K1}, "", "master key id ''"),
    ],
)
def test_cipher_refuses_a_bad_key_ring(ring: dict[str, bytes], active: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AesGcmEnvelopeCipher(ring, active)


# --- MASTER_KEYS ---------------------------------------------------------------------------


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_parse_master_keys_reads_every_entry_in_order() -> None:
    ring = parse_master_keys(f"k1:{b64(K1)}, k2:{b64(K2)}")

    assert ring == {"k1": K1, "k2": K2}
    assert list(ring) == ["k1", "k2"]


def test_generated_master_key_parses_and_is_new_each_time() -> None:
    first, second = generate_master_key(), generate_master_key()

    assert first != second
    assert parse_master_keys(f"main:{first}") == {"main": base64.b64decode(first)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "MASTER_KEYS is empty"),
        ("  ,  ", "MASTER_KEYS is empty"),
        (f"k1:{b64(K1)},k1:{b64(K2)}", "key id 'k1' more than once"),
        (f"k1:{b64(K1[:16])}", "decodes to 16 bytes; it must be 32"),
        (f"k1:{b64(K1 + b'x')}", "decodes to 33 bytes; it must be 32"),
        ("k1:not base64!!", "key 'k1' is not valid base64"),
        (f"k1:{b64(K1)[:-2]}", "key 'k1' is not valid base64"),
        (b64(K1), "entry 1 must look like 'id:<base64 of 32 bytes>'"),
        (f"k1:{b64(K1)},:{b64(K2)}", "entry 2 must look like"),
        ("k1:", "entry 1 must look like"),
        (f"k1:{b64(K1)},,k2:{b64(K2)}", "entry 2 must look like"),
        (f"bad id:{b64(K1)}", "master key id 'bad id'"),
    ],
)
def test_parse_master_keys_explains_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_master_keys(text)
