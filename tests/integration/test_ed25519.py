"""The Ed25519 adapter: real signatures of PoAI bundles, checked from the bundle alone."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.adapters.crypto.ed25519 import (
    Ed25519BundleSigner,
    Ed25519SignatureChecker,
    generate_signing_key,
    parse_public_keys,
)
from app.domain.poai.bundle import build_bundle, sign_bundle
from app.domain.poai.verification import TrustedKey, verify_bundle
from app.ports.signing import BundleSigner, SignatureChecker

SHA = hashlib.sha256(b"design").hexdigest()
# RFC 8032, section 7.1, test 1: the empty message.
RFC_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
RFC_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RFC_SIGNATURE = (
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)


def b64(hex_text: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_text)).decode()


def a_bundle() -> dict[str, Any]:
    at = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    return build_bundle(
        case={"id": "case-1", "round": 1},
        project={"id": "proj-1", "name": "Mata Viva", "country": "BR", "latitude": "-23.55"},
        checks=[
            {
                "name": "document_hashes_match",
                "category": "data",
                "mode": "automated",
                "required": True,
                "result": "passed",
                "evidence": ["doc-1"],
            }
        ],
        reviewers=["user-7"],
        decision={"decision": "approve", "reason": None, "decided_by": "user-7", "decided_at": at},
        documents=[{"id": "doc-1", "kind": "project_design", "version": 1, "sha256": SHA}],
        issued_at=at,
    )


@pytest.fixture
def signer() -> Ed25519BundleSigner:
    return Ed25519BundleSigner(generate_signing_key())


CHECKER = Ed25519SignatureChecker()


def test_the_adapters_implement_the_ports(signer: Ed25519BundleSigner):
    as_signer: BundleSigner = signer
    as_checker: SignatureChecker = CHECKER
    assert as_checker.verify(as_signer.public_key(), b"hello", as_signer.sign(b"hello"))


def test_known_answer_from_rfc_8032():
    signer = Ed25519BundleSigner(b64(RFC_SECRET))
    assert signer.public_key() == b64(RFC_PUBLIC)
    assert signer.sign(b"") == b64(RFC_SIGNATURE)
    assert CHECKER.verify(b64(RFC_PUBLIC), b"", b64(RFC_SIGNATURE))
    assert not CHECKER.verify(b64(RFC_PUBLIC), b"\x00", b64(RFC_SIGNATURE))


def test_generated_keys_are_32_random_bytes_and_the_key_id_is_a_fingerprint():
    key = generate_signing_key()
    assert len(base64.b64decode(key)) == 32
    assert key != generate_signing_key()
    signer = Ed25519BundleSigner(key)
    public = base64.b64decode(signer.public_key())
    assert len(public) == 32
    assert signer.key_id == hashlib.sha256(public).hexdigest()[:16]
    assert Ed25519BundleSigner(key, key_id="platform-2026").key_id == "platform-2026"
    assert key not in repr(signer)


def test_a_signed_bundle_round_trips_through_json_and_verifies(signer: Ed25519BundleSigner):
    signed = json.loads(json.dumps(sign_bundle(a_bundle(), signer)))
    assert len(base64.b64decode(signed["signature"])) == 64
    result = verify_bundle(
        signed["bundle"],
        signature=signed["signature"],
        public_key=signed["public_key"],
        trusted=[TrustedKey(signer.key_id, signer.public_key())],
        checker=CHECKER,
    )
    assert result.valid, result.problems
    assert result.signature_valid is True
    assert result.hashes == signed["hashes"]
    # The signature is over the hash hex alone: checkable with only the on-chain hash.
    message = signed["hashes"]["bundle"].encode()
    assert CHECKER.verify(signed["public_key"], message, signed["signature"])


def test_a_bundle_signed_by_another_key_fails(signer: Ed25519BundleSigner):
    intruder = Ed25519BundleSigner(generate_signing_key())
    forged = sign_bundle(a_bundle(), intruder)
    result = verify_bundle(
        forged["bundle"],
        signature=forged["signature"],
        public_key=signer.public_key(),
        trusted=[TrustedKey(signer.key_id, signer.public_key())],
        checker=CHECKER,
    )
    assert not result.valid
    assert result.signature_valid is False


def test_a_tampered_bundle_fails(signer: Ed25519BundleSigner):
    signed = sign_bundle(a_bundle(), signer)
    tampered = json.loads(json.dumps(signed["bundle"]))
    tampered["project"]["latitude"] = "-23.56"
    result = verify_bundle(
        tampered,
        signature=signed["signature"],
        public_key=signed["public_key"],
        trusted=[TrustedKey(signer.key_id, signer.public_key())],
        checker=CHECKER,
    )
    assert not result.valid
    assert result.signature_valid is False


@pytest.mark.parametrize(
    "bad_key",
    [
        "",
        "not base64!",
        base64.b64encode(bytes(31)).decode(),
        base64.b64encode(bytes(33)).decode(),
        base64.b64encode(bytes(32)).decode().rstrip("="),
        base64.urlsafe_b64encode(b"\xfb" * 32).decode(),
        None,
        b"\x00" * 32,
    ],
)
def test_malformed_private_keys_are_refused(bad_key: Any):
    with pytest.raises(ValueError, match="private key"):
        Ed25519BundleSigner(bad_key)


def test_an_empty_key_id_is_refused():
    with pytest.raises(ValueError, match="key id"):
        Ed25519BundleSigner(generate_signing_key(), key_id=" ")


def test_malformed_public_keys_signatures_and_messages_give_false(signer: Ed25519BundleSigner):
    message = b"0" * 64
    signature = signer.sign(message)
    public = signer.public_key()
    assert CHECKER.verify(public, message, signature)
    raw_signature = base64.b64decode(signature)
    flipped = base64.b64encode(raw_signature[:-1] + bytes([raw_signature[-1] ^ 1])).decode()
    other_public = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    for bad_public, bad_message, bad_signature in [
        (public, message, flipped),
        (public, message, signature[:-4]),
        (public, message, "%%%%"),
        (public, message, ""),
        (public, b"1" * 64, signature),
        (base64.b64encode(other_public).decode(), message, signature),
        (base64.b64encode(bytes(32)).decode(), message, signature),
        (base64.b64encode(b"\xff" * 32).decode(), message, signature),
        (public[:-4], message, signature),
        ("ünïcode", message, signature),
        (None, message, signature),
        (public, None, signature),
        (public, message, None),
        (public, message.decode(), signature),
    ]:
        assert CHECKER.verify(bad_public, bad_message, bad_signature) is False  # type: ignore[arg-type]


def test_retired_public_keys_parse_from_id_colon_key_entries(signer: Ed25519BundleSigner):
    public = signer.public_key()
    assert parse_public_keys("") == {}
    assert parse_public_keys(f" k1:{public} , k2 : {public} ,") == {"k1": public, "k2": public}
    for bad, fragment in [
        (public, "id:<base64 key>"),
        (f"k1:{public},k1:{public}", "more than once"),
        ("k1:" + base64.b64encode(bytes(31)).decode(), "32 bytes"),
        ("k1:not base64!", "base64"),
    ]:
        with pytest.raises(ValueError, match=fragment):
            parse_public_keys(bad)
