"""Verifying a proof: valid only when its hashes hold and a trusted key signed it; the
public key and key id that come with a bundle are claims, never trust."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.domain.poai.bundle import bundle_hashes, sign_bundle
from app.domain.poai.verification import (
    TrustedKey,
    VerificationResult,
    platform_keys,
    verify_bundle,
)
from app.domain.shared.errors import InvalidValue
from tests.fakes.signing import FakeHmacChecker, FakeHmacSigner
from tests.unit.poai.test_proof import BUNDLE

PLATFORM = FakeHmacSigner(b"platform secret", key_id="platform-2026")
RETIRED = FakeHmacSigner(b"last year's secret", key_id="platform-2025")
ATTACKER = FakeHmacSigner(b"attacker secret", key_id="platform-2026")
KEYS = platform_keys(PLATFORM, {RETIRED.key_id: RETIRED.public_key()})


def check(bundle: Any, signed: dict[str, Any] | None = None, **claims: Any) -> VerificationResult:
    trusted = claims.pop("trusted", KEYS)
    given = {k: (signed or {}).get(k) for k in ("signature", "public_key")}
    return verify_bundle(bundle, **(given | claims), trusted=trusted, checker=FakeHmacChecker())


def tampered() -> dict[str, Any]:
    forged = copy.deepcopy(BUNDLE)
    forged["decision"]["decision"] = "approve"
    forged["project"]["expected_annual_reductions"] = "999999"
    return forged


def test_a_tampered_bundle_without_a_signature_is_not_valid():
    result = check(tampered())
    assert result.valid is False
    assert result.checks.hashes.ok  # well formed: its hashes are recomputed...
    assert result.hashes == bundle_hashes(tampered())
    assert result.checks.signature.ok is False  # ...but nothing vouches for them
    assert (result.checks.key.ok, result.key_id, result.key_trusted) == (False, None, False)
    assert result.signature_valid is None
    assert any("not signed" in p for p in result.problems)


def test_a_bundle_signed_with_the_attackers_own_key_and_that_public_key_is_not_valid():
    forged = sign_bundle(tampered(), ATTACKER)
    result = check(forged["bundle"], forged, key_id=forged["key_id"])
    assert result.valid is False
    assert result.checks.signature.ok is True  # the signature is the attacker key's...
    assert result.signature_valid is True
    assert result.key_trusted is False  # ...and that key is nobody the platform published
    assert result.key_id is None  # the claimed "platform-2026" is not reported as the key
    assert result.checks.key.trusted_as is None
    assert "the public key is not a trusted key" in result.problems


def test_an_attackers_signature_without_a_public_key_matches_no_platform_key():
    forged = sign_bundle(tampered(), ATTACKER)
    result = check(forged["bundle"], signature=forged["signature"])
    assert result.valid is False
    assert result.checks.signature.ok is False
    assert result.key_trusted is False


def test_a_genuine_bundle_signed_by_the_platform_key_is_valid():
    signed = sign_bundle(BUNDLE, PLATFORM)
    result = check(signed["bundle"], signed, key_id=signed["key_id"], hashes=signed["hashes"])
    assert result.valid is True, result.problems
    assert result.problems == []
    assert result.key_id == "platform-2026"
    assert result.key_trusted is True
    assert result.checks.key.trusted_as == "platform"
    assert result.checks.hashes.compared is True
    assert "platform-2026" in result.checks.signature.detail


def test_a_signature_alone_is_checked_against_every_platform_key_retired_included():
    old = sign_bundle(BUNDLE, RETIRED)
    result = check(BUNDLE, signature=old["signature"])
    assert result.valid is True, result.problems
    assert result.key_id == "platform-2025"
    assert "retired" in result.checks.signature.detail
    by_id = check(BUNDLE, signature=old["signature"], key_id="platform-2025")
    assert by_id.valid is True, by_id.problems


def test_the_platform_signature_over_a_tampered_bundle_fails_under_the_platform_key():
    signed = sign_bundle(BUNDLE, PLATFORM)
    result = check(tampered(), signed)
    assert result.valid is False
    assert result.checks.signature.ok is False
    assert result.key_id == "platform-2026"  # the key is the platform's; the bundle is not
    assert result.key_trusted is True


def test_hashes_given_with_the_bundle_must_be_the_recomputed_ones():
    signed = sign_bundle(BUNDLE, PLATFORM)
    stale = {**signed["hashes"], "asset": "0" * 64}
    result = check(signed["bundle"], signed, hashes=stale)
    assert result.valid is False
    assert result.checks.hashes.ok is False
    assert result.checks.hashes.problems == [
        "hashes.asset: differs from the hash recomputed from the bundle"
    ]
    assert result.checks.signature.ok is True
    partial = check(signed["bundle"], signed, hashes={"bundle": signed["hashes"]["bundle"]})
    assert not partial.valid
    assert "hashes.asset: missing" in partial.problems


@pytest.mark.parametrize(
    ("claims", "fragment"),
    [
        ({"key_id": "platform-2025"}, "not the id of this platform key"),
        ({"key_id": "someone"}, "not the id of this platform key"),
        ({"public_key": None, "key_id": "someone"}, "'someone' is not a trusted key"),
        ({"algorithm": "RS256"}, "'RS256' is not Ed25519"),
        ({"signature": 7}, "signature: must be text"),
        ({"public_key": ["k"]}, "public_key: must be text"),
        ({"hashes": "abc"}, "hashes: must be an object"),
    ],
)
def test_claims_that_do_not_hold_make_the_bundle_invalid(claims: dict[str, Any], fragment: str):
    signed = sign_bundle(BUNDLE, PLATFORM)
    result = check(signed["bundle"], signed, **claims)
    assert result.valid is False
    assert any(fragment in p for p in result.problems), result.problems


def test_an_explicitly_trusted_key_is_labelled_as_such():
    outside = FakeHmacSigner(b"an auditor's copy of the key")
    signed = sign_bundle(BUNDLE, outside)
    explicit = (TrustedKey(None, outside.public_key(), trusted_as="explicit"),)
    result = check(signed["bundle"], signed, trusted=explicit)
    assert result.valid is True, result.problems
    assert result.checks.key.trusted_as == "explicit"
    assert result.key_id is None
    assert not check(signed["bundle"], signed).valid  # not a platform key


def test_the_report_is_json_data_with_every_check():
    signed = sign_bundle(BUNDLE, PLATFORM)
    report = check(signed["bundle"], signed).report()
    assert set(report) == {
        "valid",
        "hashes",
        "signature_valid",
        "problems",
        "checks",
        "key_id",
        "key_trusted",
    }
    assert set(report["checks"]) == {"hashes", "signature", "key"}
    assert report["checks"]["key"] == {
        "ok": True,
        "key_id": "platform-2026",
        "trusted": True,
        "trusted_as": "platform",
        "detail": "platform key 'platform-2026' (current) is trusted",
    }


def test_platform_keys_list_the_signing_key_first_then_the_retired_ones():
    assert [(k.key_id, k.status) for k in KEYS] == [
        ("platform-2026", "current"),
        ("platform-2025", "retired"),
    ]
    assert {k.algorithm for k in KEYS} == {"Ed25519"}
    with pytest.raises(InvalidValue, match="platform-2026"):
        platform_keys(PLATFORM, {"platform-2026": RETIRED.public_key()})
