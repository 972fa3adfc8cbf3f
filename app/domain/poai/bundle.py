"""PoAI proof bundles: what a decided case proves, as JSON data that anyone can check.

A bundle holds only JSON-native values (decimals and instants as strings), shaped so:

    {"version": "poai-bundle/1",
     "case": {"id": "c1", "round": 2},
     "project": {"id": "p1", "organization_id": "o1", "name": "Mata Viva", "type": "arr",
                 "methodology": "VM0047", "standard": "VCS", "country": "BR",
                 "region": "SP", "latitude": "-23.55", "longitude": "-46.63",
                 "vintages": [2024, 2025], "expected_annual_reductions": "1200.5"},
     "documents": [{"id": "d1", "kind": "project_design", "version": 3, "sha256": "9f…"}],
     "asset": {"checks": [{"name": "coordinates_in_country", "mode": "automated",
                           "required": true, "result": "passed", "notes": null,
                           "evidence": [{"document_id": "d1", "sha256": "9f…"}]}]},
     "data": {"checks": [...]}, "process": {"checks": [...]},
     "reviewers": ["u7", "u9"],
     "decision": {"decision": "approve", "reason": "…", "decided_by": "u7",
                  "decided_at": "2026-01-31T12:00:00.000000Z"},
     "issued_at": "2026-01-31T12:00:05.000000Z"}

The same facts always give the same bytes: lists whose order means nothing are sorted
(documents by id, checks by name, evidence by document id, reviewers, vintages) and
decimals are written in their shortest exact form (`Decimal("1.50")` and `"1.5"` are
both `"1.5"`). Hashes are SHA-256 (hex) of the RFC 8785 canonical bytes of the `asset`,
`data` and `process` sections and of the whole bundle; the bundle hash goes on chain.
The signature is over the UTF-8 bytes of the bundle hash as 64 lowercase hex digits, so
someone holding only the on-chain hash can check it too. Checking a bundle, its signature
and the key that made it is `app.domain.poai.verification`.
What a well-formed version 1 bundle is, field by field, is
`app.domain.poai.bundle_shape`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeAlias

from app.domain.poai.bundle_shape import (
    BUNDLE_VERSION,
    CATEGORIES,
    HEX_DIGITS,
    MAX_SAFE_INTEGER,
    MODES,
    PROJECT_DECIMALS,
    PROJECT_TEXT,
    not_native_path,
    structure_problems,
)
from app.domain.shared.clock import isoformat
from app.domain.shared.errors import InvalidValue
from app.domain.shared.hashing import sha256_hex
from app.domain.shared.json import canonical
from app.domain.shared.money import to_decimal
from app.domain.shared.quantity import Quantity
from app.ports.signing import BundleSigner

Bundle: TypeAlias = dict[str, Any]

SIGNATURE_ALGORITHM = "Ed25519"


# --- building ----------------------------------------------------------------------------


def build_bundle(
    *,
    case: Mapping[str, Any],
    project: Mapping[str, Any],
    checks: Sequence[Mapping[str, Any]],
    reviewers: Sequence[str],
    decision: Mapping[str, Any],
    documents: Sequence[Mapping[str, Any]],
    issued_at: datetime,
) -> Bundle:
    """The proof bundle of a decided case (see the module docstring for its shape).
    Project fields other than the snapshot's are left out; bad input is InvalidValue."""
    docs = [_document(d, f"documents[{i}]") for i, d in enumerate(documents)]
    hashes = {d["id"]: d["sha256"] for d in docs}
    if len(hashes) != len(docs):
        raise _bad("documents", "a document is listed twice")
    built = [_check(c, hashes, f"checks[{i}]") for i, c in enumerate(checks)]
    sections: dict[str, Any] = {}
    for category in CATEGORIES:
        own = sorted((c for cat, c in built if cat == category), key=lambda c: c["name"])
        if len({c["name"] for c in own}) != len(own):
            raise _bad(category, "two checks have the same name")
        sections[category] = {"checks": own}
    return {
        "version": BUNDLE_VERSION,
        "case": {
            "id": _text(case.get("id"), "case.id"),
            "round": _int(case.get("round"), "case.round"),
        },
        "project": _project(project),
        "documents": sorted(docs, key=lambda d: d["id"]),
        **sections,
        "reviewers": sorted({_text(r, "reviewers") for r in _items(reviewers, "reviewers")}),
        "decision": {
            "decision": _text(decision.get("decision"), "decision.decision"),
            "reason": _text_or_none(decision.get("reason"), "decision.reason"),
            "decided_by": _text_or_none(decision.get("decided_by"), "decision.decided_by"),
            "decided_at": _instant(decision.get("decided_at"), "decision.decided_at"),
        },
        "issued_at": _instant(issued_at, "issued_at"),
    }


def _project(p: Mapping[str, Any]) -> dict[str, Any]:
    snapshot: dict[str, Any] = {k: _text_or_none(p.get(k), f"project.{k}") for k in PROJECT_TEXT}
    snapshot |= {k: _decimal(p.get(k), f"project.{k}") for k in PROJECT_DECIMALS}
    vintages = _items(p.get("vintages") or (), "project.vintages")
    snapshot["vintages"] = sorted({_int(v, "project.vintages") for v in vintages})
    for required in ("id", "name", "country"):
        if snapshot[required] is None:
            raise _bad(f"project.{required}", "is required")
    return snapshot


def _document(d: Mapping[str, Any], where: str) -> dict[str, Any]:
    return {
        "id": _text(d.get("id"), f"{where}.id"),
        "kind": _text(d.get("kind"), f"{where}.kind"),
        "version": _int(d.get("version"), f"{where}.version"),
        "sha256": _sha256(d.get("sha256"), f"{where}.sha256"),
    }


def _check(c: Mapping[str, Any], docs: Mapping[str, str], where: str) -> tuple[str, dict[str, Any]]:
    category, mode = c.get("category"), c.get("mode")
    if category not in CATEGORIES or not isinstance(category, str):
        raise _bad(f"{where}.category", f"must be one of {', '.join(CATEGORIES)}")
    if mode not in MODES or not isinstance(mode, str):
        raise _bad(f"{where}.mode", "must be automated or manual")
    if not isinstance(c.get("required"), bool):
        raise _bad(f"{where}.required", "must be true or false")
    items = _items(c.get("evidence") or (), f"{where}.evidence")
    evidence = [_evidence(e, docs, f"{where}.evidence") for e in items]
    return category, {
        "name": _text(c.get("name"), f"{where}.name"),
        "mode": str.__str__(mode),
        "required": c["required"],
        "result": _text_or_none(c.get("result"), f"{where}.result"),
        "notes": _text_or_none(c.get("notes"), f"{where}.notes"),
        "evidence": sorted(evidence, key=lambda e: (e["document_id"], e["sha256"])),
    }


def _evidence(e: object, docs: Mapping[str, str], where: str) -> dict[str, str]:
    """A document id from the bundle's documents, or {document_id, sha256} for evidence
    kept outside them (a reviewer's upload, say)."""
    if isinstance(e, str):
        if e not in docs:
            raise _bad(where, f"document {e!r} is not among the bundle's documents")
        return {"document_id": e, "sha256": docs[e]}
    if isinstance(e, Mapping):
        doc_id = _text(e.get("document_id"), f"{where}.document_id")
        sha = _sha256(e.get("sha256", docs.get(doc_id)), f"{where}.sha256")
        if doc_id in docs and docs[doc_id] != sha:
            raise _bad(where, f"document {doc_id!r} has another sha256 in the documents")
        return {"document_id": doc_id, "sha256": sha}
    raise _bad(where, "must be a document id or {document_id, sha256}")


def _bad(where: str, message: str) -> InvalidValue:
    return InvalidValue(
        f"{where}: {message}", code="invalid_bundle_input", errors={where: [message]}
    )


def _items(value: object, where: str) -> Sequence[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | set | frozenset):
        raise _bad(where, "must be a list")
    return list(value)


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise _bad(where, "must be non-empty text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no canonical JSON, so no hash
        raise _bad(where, "must be valid Unicode text") from None
    return str.__str__(value)  # a StrEnum member becomes its plain value


def _text_or_none(value: object, where: str) -> str | None:
    return None if value is None else _text(value, where)


def _int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(where, "must be a whole number")
    if abs(value) > MAX_SAFE_INTEGER:
        raise _bad(where, f"must be a whole number within ±{MAX_SAFE_INTEGER}")
    return int(value)  # an IntEnum member becomes a plain int


def _decimal(value: object, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, Quantity):
        value = value.tonnes
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise _bad(where, "must be an exact number (Decimal, int or text), not a float")
    try:
        number = to_decimal(value)
    except InvalidValue as exc:
        raise _bad(where, exc.detail) from None
    return "0" if number.is_zero() else format(number.normalize(), "f")


def _instant(value: object, where: str) -> str:
    if not isinstance(value, datetime):
        raise _bad(where, "must be a datetime")
    return isoformat(value)


def _sha256(value: object, where: str) -> str:
    if not isinstance(value, str) or len(value) != 64 or not set(value.lower()) <= HEX_DIGITS:
        raise _bad(where, "must be 64 hex digits")
    return value.lower()


# --- hashing and signing ----------------------------------------------------------------


def bundle_hashes(bundle: Bundle) -> dict[str, str]:
    """SHA-256 hex of the canonical bytes of each section and of the whole bundle."""
    hashes = {name: sha256_hex(canonical(bundle[name])) for name in CATEGORIES}
    hashes["bundle"] = sha256_hex(canonical(bundle))
    return hashes


def sign_bundle(bundle: Bundle, signer: BundleSigner) -> dict[str, Any]:
    """The bundle with its hashes and the signer's signature of the bundle hash (the
    UTF-8 bytes of its hex digits). A malformed bundle is refused, never signed."""
    problems = signing_problems(bundle)
    if problems:
        raise InvalidValue("cannot sign a malformed bundle: " + "; ".join(problems))
    hashes = bundle_hashes(bundle)
    return {
        "bundle": bundle,
        "hashes": hashes,
        "signature": signer.sign(hashes["bundle"].encode("utf-8")),
        "public_key": signer.public_key(),
        "key_id": signer.key_id,
        "algorithm": SIGNATURE_ALGORITHM,
    }


def signing_problems(bundle: object) -> list[str]:
    """Why `sign_bundle` would refuse the bundle (its shape, or no canonical form to
    hash); empty when it can be signed."""
    problems = structure_problems(bundle)
    if problems:
        return problems
    try:
        canonical(bundle)
    except (TypeError, ValueError, RecursionError) as exc:
        return [f"bundle: has no canonical JSON form ({exc})"]
    return []


def section_hashes(bundle: object) -> tuple[dict[str, str], list[str]]:
    """The hashes of whatever parts of a bundle can be hashed, with what is wrong with
    its shape or canonical form (see `structure_problems`). Never raises."""
    problems = structure_problems(bundle)
    hashes: dict[str, str] = {}
    if isinstance(bundle, dict) and not not_native_path(bundle):
        for name in (*CATEGORIES, "bundle"):
            part = bundle if name == "bundle" else bundle.get(name)
            try:
                if part is not None:
                    hashes[name] = sha256_hex(canonical(part))
            except (TypeError, ValueError, RecursionError):
                problems.append(f"{name}: has no canonical JSON form")
    return hashes, problems
