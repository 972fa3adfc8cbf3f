"""PoAI proof bundles: canonical form, hashes, signatures, verification from the bundle alone."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any

import pytest

from app.domain.poai.bundle import build_bundle, bundle_hashes, sign_bundle, signing_problems
from app.domain.poai.bundle_shape import BUNDLE_VERSION, CATEGORIES, structure_problems
from app.domain.poai.verification import TrustedKey, VerificationResult, verify_bundle
from app.domain.shared.errors import InvalidValue
from app.domain.shared.quantity import Quantity
from tests.fakes.signing import FakeHmacChecker, FakeHmacSigner

SHA_A = hashlib.sha256(b"design").hexdigest()
SHA_B = hashlib.sha256(b"monitoring").hexdigest()
SHA_C = hashlib.sha256(b"reviewer photo").hexdigest()
DECIDED = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


SIGNER = FakeHmacSigner(b"platform secret")
CHECKER = FakeHmacChecker()
TRUSTED = (TrustedKey(SIGNER.key_id, SIGNER.public_key()),)


def inputs(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "case": {"id": "case-1", "round": 2},
        "project": {
            "id": "proj-1",
            "organization_id": "org-1",
            "name": "Mata Viva",
            "type": "arr",
            "methodology": "VM0047",
            "standard": "VCS",
            "country": "BR",
            "region": "SP",
            "latitude": Decimal("-23.5500"),
            "longitude": Decimal("-46.63"),
            "vintages": [2025, 2024],
            "expected_annual_reductions": Quantity.from_tonnes("1200.5"),
            "description": "not part of the snapshot",
        },
        "checks": [
            {
                "name": "coordinates_in_country",
                "category": "asset",
                "mode": "automated",
                "required": True,
                "result": "passed",
                "notes": None,
                "evidence": ["doc-a"],
            },
            {
                "name": "land_title_reviewed",
                "category": "asset",
                "mode": "manual",
                "required": False,
                "result": "passed",
                "notes": "Title matches the registry extract.",
                "evidence": [{"document_id": "photo-1", "sha256": SHA_C}, "doc-a"],
            },
            {
                "name": "document_hashes_match",
                "category": "data",
                "mode": "automated",
                "required": True,
                "result": "passed",
                "notes": None,
                "evidence": ["doc-b", "doc-a"],
            },
            {
                "name": "reviewer_independent",
                "category": "process",
                "mode": "manual",
                "required": True,
                "result": "passed",
                "notes": "Reviewer is not from the issuer's organization.",
                "evidence": [],
            },
        ],
        "reviewers": ["user-9", "user-7"],
        "decision": {
            "decision": "approve",
            "reason": "All required checks passed.",
            "decided_by": "user-7",
            "decided_at": DECIDED,
        },
        "documents": [
            {"id": "doc-b", "kind": "monitoring_report", "version": 1, "sha256": SHA_B},
            {"id": "doc-a", "kind": "project_design", "version": 3, "sha256": SHA_A.upper()},
        ],
        "issued_at": DECIDED + timedelta(seconds=5),
    }
    values.update(overrides)
    return values


def reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(v) for v in value]
    return value


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path


def altered(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    return "x"  # null


def with_leaf_changed(bundle: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    changed = copy.deepcopy(bundle)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = altered(parent[path[-1]])
    return changed


BUNDLE = build_bundle(**inputs())
SIGNED = sign_bundle(BUNDLE, SIGNER)
LEAVES = list(leaves(BUNDLE))


def verify(bundle: Any, signed: dict[str, Any] = SIGNED, **kwargs: Any) -> VerificationResult:
    options = {"signature": signed["signature"], "public_key": signed["public_key"]}
    return verify_bundle(bundle, checker=CHECKER, trusted=TRUSTED, **(options | kwargs))


# --- shape and canonical form ----------------------------------------------------------------


def test_bundle_is_plain_json_with_sorted_lists_and_shortest_decimals():
    assert json.loads(json.dumps(BUNDLE)) == BUNDLE
    assert BUNDLE["version"] == BUNDLE_VERSION
    assert BUNDLE["case"] == {"id": "case-1", "round": 2}
    project = BUNDLE["project"]
    assert "description" not in project
    assert (project["latitude"], project["longitude"]) == ("-23.55", "-46.63")
    assert project["expected_annual_reductions"] == "1200.5"
    assert project["vintages"] == [2024, 2025]
    assert [d["id"] for d in BUNDLE["documents"]] == ["doc-a", "doc-b"]
    assert BUNDLE["documents"][0]["sha256"] == SHA_A  # hex is lower-cased
    assert [c["name"] for c in BUNDLE["asset"]["checks"]] == [
        "coordinates_in_country",
        "land_title_reviewed",
    ]
    assert BUNDLE["asset"]["checks"][1]["evidence"] == [
        {"document_id": "doc-a", "sha256": SHA_A},
        {"document_id": "photo-1", "sha256": SHA_C},
    ]
    assert BUNDLE["reviewers"] == ["user-7", "user-9"]
    assert BUNDLE["decision"]["decided_at"] == "2026-01-31T12:00:00.000000Z"
    assert BUNDLE["issued_at"] == "2026-01-31T12:00:05.000000Z"


def test_key_order_list_order_and_number_formatting_do_not_change_the_hashes():
    project = dict(inputs()["project"])
    project |= {"latitude": "-23.55", "longitude": Decimal("-46.6300"), "vintages": [2024, 2025]}
    project["expected_annual_reductions"] = Decimal("1200.500")
    same = inputs(
        project=reversed_keys(project),
        checks=list(reversed(reversed_keys(inputs()["checks"]))),
        documents=list(reversed(inputs()["documents"])),
        reviewers=["user-7", "user-9", "user-7"],
        decision={
            **inputs()["decision"],
            "decided_at": DECIDED.astimezone(timezone(timedelta(hours=-3))),
        },
    )
    rebuilt = build_bundle(**same)
    assert rebuilt == BUNDLE
    assert bundle_hashes(rebuilt) == bundle_hashes(BUNDLE)
    assert bundle_hashes(reversed_keys(BUNDLE)) == bundle_hashes(BUNDLE)


def test_enum_members_become_plain_json_values():
    class Mode(StrEnum):
        MANUAL = "manual"

    class Round(IntEnum):
        SECOND = 2

    check = {**inputs()["checks"][3], "mode": Mode.MANUAL, "result": Mode.MANUAL}
    bundle = build_bundle(**inputs(case={"id": "case-1", "round": Round.SECOND}, checks=[check]))
    values = [bundle["process"]["checks"][0]["mode"], bundle["case"]["round"]]
    assert [type(v) for v in values] == [str, int]
    assert verify(bundle, sign_bundle(bundle, SIGNER)).valid


def test_decimal_and_text_inputs_give_the_same_hash():
    def hash_with(latitude: Any) -> str:
        project = {**inputs()["project"], "latitude": latitude}
        return bundle_hashes(build_bundle(**inputs(project=project)))["bundle"]

    assert hash_with(Decimal("1.50")) == hash_with("1.50") == hash_with(Decimal("1.5"))
    assert hash_with(Decimal("0.00")) == hash_with(0) == hash_with("-0")
    assert hash_with("1.5") != hash_with("1.51")


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"project": {**inputs()["project"], "latitude": -23.55}}, "float"),
        ({"project": {**inputs()["project"], "country": None}}, "project.country"),
        ({"case": {"id": "case-1", "round": "2"}}, "case.round"),
        ({"checks": [{**inputs()["checks"][0], "category": "vibes"}]}, "category"),
        ({"checks": [{**inputs()["checks"][0], "mode": "robotic"}]}, "mode"),
        ({"checks": [{**inputs()["checks"][0], "evidence": ["doc-z"]}]}, "doc-z"),
        ({"checks": [inputs()["checks"][0]] * 2}, "same name"),
        ({"documents": [*inputs()["documents"], inputs()["documents"][0]]}, "twice"),
        ({"documents": [{**inputs()["documents"][0], "sha256": "abc"}]}, "64 hex"),
        ({"decision": {**inputs()["decision"], "decided_at": "2026-01-31"}}, "datetime"),
        ({"project": {**inputs()["project"], "latitude": "north"}}, "project.latitude"),
        ({"reviewers": "user-7"}, "reviewers"),
        ({"checks": [{**inputs()["checks"][0], "evidence": "doc-a"}]}, "evidence"),
        ({"project": {**inputs()["project"], "methodology": ""}}, "project.methodology"),
        ({"decision": {**inputs()["decision"], "reason": ""}}, "decision.reason"),
        ({"project": {**inputs()["project"], "name": "Mata \ud800"}}, "valid Unicode"),
        ({"checks": [{**inputs()["checks"][0], "notes": "\udfff"}]}, "valid Unicode"),
        ({"case": {"id": "case-1", "round": 2**53}}, "case.round"),
        ({"documents": [{**inputs()["documents"][1], "version": -(2**60)}]}, "version"),
    ],
)
def test_bad_inputs_are_refused_when_building(overrides: dict[str, Any], fragment: str):
    with pytest.raises(InvalidValue, match=fragment):
        build_bundle(**inputs(**overrides))


# --- hashes and signatures -------------------------------------------------------------------


def test_hashes_are_sha256_of_the_canonical_sections_and_bundle():
    hashes = bundle_hashes(BUNDLE)
    assert set(hashes) == {"asset", "data", "process", "bundle"}
    assert len(set(hashes.values())) == 4
    assert all(len(h) == 64 for h in hashes.values())
    canonical_bundle = json.dumps(BUNDLE, sort_keys=True, separators=(",", ":")).encode()
    assert hashes["bundle"] == hashlib.sha256(canonical_bundle).hexdigest()  # ASCII-only data


def test_signed_bundle_carries_hashes_key_and_a_signature_of_the_hash_hex():
    assert SIGNED["bundle"] == BUNDLE
    assert SIGNED["hashes"] == bundle_hashes(BUNDLE)
    assert SIGNED["key_id"] == "fake-key"
    assert SIGNED["algorithm"] == "Ed25519"
    assert CHECKER.verify(
        SIGNED["public_key"], SIGNED["hashes"]["bundle"].encode(), SIGNED["signature"]
    )


def test_a_signed_bundle_verifies_after_a_json_round_trip():
    result = verify(json.loads(json.dumps(SIGNED["bundle"])))
    assert result.valid, result.problems
    assert result.signature_valid is True
    assert result.hashes == SIGNED["hashes"]
    assert result.problems == []


def test_an_unsigned_bundle_has_its_shape_checked_and_hashes_reported_but_is_not_valid():
    result = verify(BUNDLE, signature=None, public_key=None)
    assert not result.valid
    assert result.checks.hashes.ok
    assert result.signature_valid is None
    assert result.hashes == SIGNED["hashes"]


def test_verification_with_another_public_key_fails():
    other = FakeHmacSigner(b"someone else")
    result = verify(BUNDLE, public_key=other.public_key())
    assert not result.valid
    assert result.signature_valid is False
    assert result.hashes == SIGNED["hashes"]  # the hashes are still reported


def test_a_signature_by_another_key_fails_with_the_platform_key():
    forged = sign_bundle(BUNDLE, FakeHmacSigner(b"someone else"))
    assert not verify(BUNDLE, signature=forged["signature"]).valid


@pytest.mark.parametrize(
    ("signature", "public_key"), [("sig", None), (None, SIGNER.public_key()), ("%%%", "***")]
)
def test_a_missing_or_garbled_signature_or_key_fails(signature: Any, public_key: Any):
    result = verify(BUNDLE, signature=signature, public_key=public_key)
    assert not result.valid
    assert result.signature_valid is False


# --- tampering --------------------------------------------------------------------------------


def test_the_leaf_walk_covers_every_part_of_the_bundle():
    assert {path[0] for path in LEAVES} == set(BUNDLE)
    assert len(LEAVES) > 50


@pytest.mark.parametrize("path", LEAVES, ids=lambda p: ".".join(map(str, p)))
def test_changing_any_leaf_changes_the_bundle_hash_and_fails_verification(path: tuple[Any, ...]):
    tampered = with_leaf_changed(BUNDLE, path)
    before, after = bundle_hashes(BUNDLE), verify(tampered)
    assert after.hashes.get("bundle") != before["bundle"]
    assert not after.valid
    assert after.signature_valid is False
    # Section hashes move only when the change is inside that section.
    for section in CATEGORIES:
        assert (after.hashes[section] != before[section]) == (path[0] == section)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b["asset"]["checks"].pop(),
        lambda b: b["documents"].reverse(),
        lambda b: b["process"]["checks"][0]["evidence"].append(
            {"document_id": "doc-a", "sha256": SHA_A}
        ),
        lambda b: b["project"].pop("region"),
        lambda b: b["decision"].update(reason=None),
        lambda b: b.update(extra="field"),
    ],
)
def test_removing_adding_or_reordering_fails_verification(tamper: Any):
    tampered = copy.deepcopy(BUNDLE)
    tamper(tampered)
    result = verify(tampered)
    assert not result.valid
    assert result.hashes.get("bundle") != SIGNED["hashes"]["bundle"]


# --- malformed bundles --------------------------------------------------------------------------


def deeply_nested(depth: int) -> dict[str, Any]:
    bundle: Any = "leaf"
    for _ in range(depth):
        bundle = {"x": bundle}
    return {**copy.deepcopy(BUNDLE), "project": bundle}


def replaced(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(BUNDLE), **changes}


MALFORMED = {
    "none": None,
    "list": [BUNDLE],
    "text": json.dumps(BUNDLE),
    "empty": {},
    "other version": replaced(version="poai-bundle/2"),
    "float": replaced(case={"id": "case-1", "round": 2.0}),
    "decimal object": replaced(issued_at=Decimal("1")),
    "integer key": replaced(case={1: "case-1", "round": 2}),
    "section not an object": replaced(asset=["checks"]),
    "checks not a list": replaced(data={"checks": "none"}),
    "check missing fields": replaced(process={"checks": [{"name": "x"}]}),
    "check bad mode": replaced(
        process={"checks": [{**BUNDLE["process"]["checks"][0], "mode": "robotic"}]}
    ),
    "evidence bad hash": replaced(
        data={
            "checks": [
                {
                    **BUNDLE["data"]["checks"][0],
                    "evidence": [{"document_id": "doc-a", "sha256": "zz"}],
                }
            ]
        }
    ),
    "evidence hash differs": replaced(
        data={
            "checks": [
                {
                    **BUNDLE["data"]["checks"][0],
                    "evidence": [{"document_id": "doc-a", "sha256": SHA_B}],
                }
            ]
        }
    ),
    "document not an object": replaced(documents=["doc-a"]),
    "reviewer not text": replaced(reviewers=[7]),
    "vintage not a number": replaced(project={**BUNDLE["project"], "vintages": ["2024"]}),
    "boolean round": replaced(case={"id": "case-1", "round": True}),
    "huge integer": replaced(case={"id": "case-1", "round": 2**60}),
    "lone surrogate": replaced(reviewers=["\ud800"]),
    "deep nesting": deeply_nested(100_000),
}


@pytest.mark.parametrize("bundle", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_bundles_give_problems_not_exceptions(bundle: Any):
    result = verify(bundle)
    assert not result.valid
    assert result.problems
    assert all(isinstance(p, str) for p in result.problems)
    assert result.signature_valid is False


def test_malformed_bundles_are_not_signed():
    with pytest.raises(InvalidValue, match="malformed"):
        sign_bundle(replaced(version="poai-bundle/0"), SIGNER)


def test_a_bundle_without_a_canonical_form_is_refused_before_signing():
    broken = copy.deepcopy(BUNDLE)
    broken["project"]["name"] = "Mata \ud800"  # built elsewhere: no UTF-8 form, no hash
    assert signing_problems(BUNDLE) == []
    assert signing_problems(broken)
    assert "canonical" in signing_problems(broken)[0]
    with pytest.raises(InvalidValue, match="malformed"):
        sign_bundle(broken, SIGNER)


def test_a_value_that_is_not_json_data_is_named_by_its_path():
    nested = replaced(reviewers=["u7", {"at": [None, 1.5]}])
    assert structure_problems(nested) == [
        "bundle.reviewers[1].at[1]: not a JSON-native value (strings, integers, booleans,"
        " null only)"
    ]
    assert structure_problems(replaced(case={"id": "case-1", 2: "two"})) == [
        "bundle.case: not a JSON-native value (strings, integers, booleans, null only)"
    ]
    deep = deeply_nested(1_000)
    deep["project"]["x"]["x"] = 0.5
    assert structure_problems(deep) == [
        "bundle.project.x.x: not a JSON-native value (strings, integers, booleans, null only)"
    ]
