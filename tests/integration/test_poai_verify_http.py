"""Proof verification over HTTP and offline: valid only when the bundle's hashes hold and
a published platform key signed it; the platform's keys are listed by key id."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from app.adapters.crypto.ed25519 import Ed25519BundleSigner, generate_signing_key
from app.domain.poai.bundle import build_bundle, sign_bundle
from app.main.cli.poai import poai_verify

PROBLEM = "application/problem+json"
NOW = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
VERIFY = "/api/v1/poai/proofs/verify"
CHECK = {
    "category": "asset",
    "name": "coordinates_in_country",
    "mode": "automated",
    "required": True,
    "result": "pass",
    "notes": None,
    "evidence": [],
}


def a_bundle() -> dict[str, Any]:
    return build_bundle(
        case={"id": "c1", "round": 1},
        project={"id": "p1", "organization_id": "o1", "name": "Mata", "country": "BR"},
        checks=[CHECK],
        reviewers=["u1"],
        decision={"decision": "approve", "reason": None, "decided_by": "u1", "decided_at": NOW},
        documents=[],
        issued_at=NOW,
    )


def tampered(bundle: dict[str, Any]) -> dict[str, Any]:
    forged = copy.deepcopy(bundle)
    forged["project"]["name"] = "Forged"
    return forged


def nested(depth: int) -> Any:
    deep: Any = "leaf"
    for _ in range(depth):
        deep = {"x": deep}
    return deep


def platform_signed(app) -> dict[str, Any]:
    return sign_bundle(a_bundle(), app.extensions["platform"].signer)


def attacker_signed() -> dict[str, Any]:
    return sign_bundle(tampered(a_bundle()), Ed25519BundleSigner(generate_signing_key()))


def test_the_platform_keys_are_published_by_key_id(make_app):
    retired = Ed25519BundleSigner(generate_signing_key())
    app = make_app(poai_retired_public_keys=f"k2025:{retired.public_key()}")
    response = app.test_client().get("/api/v1/poai/keys")
    assert response.status_code == 200
    signer = app.extensions["platform"].signer
    assert response.get_json() == [
        {
            "key_id": signer.key_id,
            "algorithm": "Ed25519",
            "public_key": signer.public_key(),
            "status": "current",
        },
        {
            "key_id": "k2025",
            "algorithm": "Ed25519",
            "public_key": retired.public_key(),
            "status": "retired",
        },
    ]
    old = sign_bundle(a_bundle(), retired)
    verified = app.test_client().post(VERIFY, json={k: old[k] for k in ("bundle", "signature")})
    assert verified.get_json()["valid"] is True
    assert verified.get_json()["key_id"] == "k2025"


def test_a_tampered_bundle_without_a_signature_is_not_valid(client):
    response = client.post(VERIFY, json={"bundle": tampered(a_bundle())})
    assert response.status_code == 200
    body = response.get_json()
    assert body["valid"] is False
    assert body["checks"]["hashes"]["ok"] is True
    assert body["checks"]["signature"]["ok"] is False
    assert body["key_trusted"] is False
    assert body["signature_valid"] is None
    assert body["problems"]


def test_an_attackers_own_key_and_signature_are_not_trusted(client):
    forged = attacker_signed()
    body = client.post(
        VERIFY,
        json={k: forged[k] for k in ("bundle", "signature", "public_key", "key_id", "algorithm")},
    ).get_json()
    assert body["valid"] is False
    assert body["signature_valid"] is True  # the signature is the attacker key's...
    assert body["key_trusted"] is False  # ...which is not a platform key
    assert body["key_id"] is None
    assert body["checks"]["key"] == {
        "ok": False,
        "key_id": None,
        "trusted": False,
        "trusted_as": None,
        "detail": "the public key is not a trusted key",
    }


def test_a_proof_as_published_verifies_and_says_what_was_checked(app, client):
    proof = platform_signed(app)
    body = client.post(VERIFY, json=proof).get_json()  # the whole proof, as GET /proof gives
    assert body["valid"] is True, body["problems"]
    assert body["problems"] == []
    assert body["hashes"] == proof["hashes"]
    assert body["key_id"] == proof["key_id"]
    assert body["key_trusted"] is True
    assert body["checks"]["hashes"] == {"ok": True, "problems": [], "compared": True}
    assert body["checks"]["signature"]["ok"] is True
    assert body["checks"]["key"]["trusted_as"] == "platform"
    bare = client.post(VERIFY, json={k: proof[k] for k in ("bundle", "signature")}).get_json()
    assert bare["valid"] is True  # the signature alone finds its platform key
    changed = client.post(VERIFY, json={**proof, "bundle": tampered(proof["bundle"])}).get_json()
    assert changed["valid"] is False
    assert changed["checks"]["hashes"]["ok"] is False  # differs from the published hashes
    assert changed["checks"]["signature"]["ok"] is False


def test_the_answer_has_exactly_the_documented_fields(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    body = client.post(VERIFY, json=platform_signed(app)).get_json()
    assert set(body) == set(schemas["VerifyResult"]["properties"])
    assert set(body) == set(schemas["VerifyResult"]["required"])
    for name, part in (("hashes", "ProofHashCheck"), ("key", "ProofKeyCheck")):
        assert set(body["checks"][name]) == set(schemas[part]["required"])
    keys = client.get("/api/v1/poai/keys").get_json()
    assert set(keys[0]) == set(schemas["SigningKey"]["required"])


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "bundle",
        {},
        {"bundle": []},
        {"bundle": "text"},
        {"bundle": {}, "signature": 7},
        {"bundle": {}, "public_key": {"k": 1}},
        {"bundle": {}, "hashes": {"bundle": 1}},
        {"bundle": {}, "hashes": []},
        {"bundle": {}, "unknown": True},
        {"bundle": nested(5000)},
    ],
)
def test_bad_input_is_a_422_problem(client, payload: Any):
    response = client.post(VERIFY, json=payload)
    assert response.status_code == 422, response.data
    assert response.mimetype == PROBLEM


def test_odd_bundles_are_answered_not_failed(client):
    deep = nested(25)
    for bundle in ({"x": 1.5}, {"x": 2**80}, {"project": deep}, {"version": None}):
        response = client.post(VERIFY, json={"bundle": bundle, "signature": "AAAA"})
        assert response.status_code == 200, response.data
        assert response.get_json()["valid"] is False


# --- the offline command --------------------------------------------------------------------


def run_cli(app, tmp_path, document: Any, *options: str) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(document))
    result = app.test_cli_runner().invoke(poai_verify, [str(path), *options])
    return result.exit_code, json.loads(result.output)


def test_the_cli_accepts_a_platform_signed_proof(app, tmp_path):
    proof = platform_signed(app)
    code, report = run_cli(app, tmp_path, proof)
    assert code == 0, report
    assert report["valid"] is True
    assert report["key_id"] == proof["key_id"]
    assert report["checks"]["key"]["trusted_as"] == "platform"


def test_the_cli_refuses_a_tampered_unsigned_bundle(app, tmp_path):
    code, report = run_cli(app, tmp_path, tampered(a_bundle()))
    assert code == 1
    assert report["valid"] is False
    assert report["checks"]["signature"]["ok"] is False


def test_the_cli_refuses_an_attackers_own_key(app, tmp_path):
    code, report = run_cli(app, tmp_path, attacker_signed())
    assert code == 1
    assert report["valid"] is False
    assert report["signature_valid"] is True
    assert report["key_trusted"] is False


def test_the_cli_trusts_a_public_key_given_explicitly_and_says_so(app, tmp_path):
    outside = Ed25519BundleSigner(generate_signing_key())
    proof = sign_bundle(a_bundle(), outside)
    code, report = run_cli(app, tmp_path, proof, "--public-key", outside.public_key())
    assert code == 0, report
    assert report["checks"]["key"]["trusted_as"] == "explicit"
    assert report["key_id"] is None
    # Given explicitly, a key replaces the configured ones: the platform's is not trusted.
    platform_proof = platform_signed(app)
    code, report = run_cli(app, tmp_path, platform_proof, "--public-key", outside.public_key())
    assert code == 1
    assert report["key_trusted"] is False


def test_the_cli_refuses_a_file_nested_20000_levels_without_crashing(app, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"bundle": ' + "[" * 20_000 + "]" * 20_000 + "}")
    result = app.test_cli_runner().invoke(poai_verify, [str(path)])
    assert result.exit_code == 1
    assert "nested deeper than 32 levels" in result.output
