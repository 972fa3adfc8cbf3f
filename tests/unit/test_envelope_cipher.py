"""Sealing and opening is one implementation, `AesGcmEnvelopeCipher`: documents, proof
bundles and custodial keys all go through the `EnvelopeCipher` port to it (its full
behaviour is pinned in tests/integration/test_envelope.py)."""

from pathlib import Path

import pytest

from app.adapters.crypto.envelope import AesGcmEnvelopeCipher
from app.main.backends import envelope_cipher
from app.main.config import Settings

APP = Path(__file__).resolve().parents[2] / "app"
RING = {"k1": bytes(range(32)), "k2": bytes(range(32, 64))}


def test_aes_gcm_is_used_in_the_envelope_adapter_only():
    """The envelope cipher and its segmented stream format, nowhere else."""
    users = sorted(
        p.relative_to(APP).as_posix()
        for p in APP.rglob("*.py")
        if "AESGCM" in p.read_text(encoding="utf-8")
    )
    assert users == ["adapters/crypto/envelope.py", "adapters/crypto/segmented.py"]


def test_the_composition_root_builds_the_envelope_cipher():
    assert isinstance(envelope_cipher(Settings()), AesGcmEnvelopeCipher)


def test_a_custodial_key_seals_and_opens_bound_to_its_owner():
    cipher = AesGcmEnvelopeCipher(RING, "k1")
    aad = b"custody:organization:org-1:0xabc"
    sealed = cipher.seal(b"private key", aad)
    assert cipher.open(sealed, aad) == b"private key"
    with pytest.raises(ValueError, match="failed authentication"):
        cipher.open(sealed, b"custody:user:u-1:0xabc")


def test_opening_and_rewrapping_authenticate_the_same_way():
    cipher = AesGcmEnvelopeCipher(RING, "k1")
    sealed = cipher.seal(b"document", b"doc-1")
    tampered = type(sealed)(sealed.ciphertext[:-1] + b"\0", sealed.wrapped_key, sealed.key_id)
    for step in (cipher.open, cipher.rewrap):
        with pytest.raises(ValueError, match="the object failed authentication"):
            step(tampered, b"doc-1")
    rotated = AesGcmEnvelopeCipher(RING, "k2").rewrap(sealed, b"doc-1")
    assert rotated.key_id == "k2"
    assert rotated.ciphertext == sealed.ciphertext
    assert AesGcmEnvelopeCipher(RING, "k2").open(rotated, b"doc-1") == b"document"
