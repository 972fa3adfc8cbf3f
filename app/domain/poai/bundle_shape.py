"""The shape of a version 1 PoAI proof bundle (see `app.domain.poai.bundle` for what it
holds and how it is hashed and signed): each object's fields and the JSON types each may
hold, and `structure_problems`, which names every way a bundle departs from it. A verifier
reads a bundle from anyone, so nothing here raises on a hostile value: it reports it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from app.domain.poai.model import Mode

BUNDLE_VERSION = "poai-bundle/1"
CATEGORIES = ("asset", "data", "process")
MODES = frozenset(Mode)
PROJECT_TEXT = (
    "id",
    "organization_id",
    "name",
    "type",
    "methodology",
    "standard",
    "country",
    "region",
)
PROJECT_DECIMALS = ("latitude", "longitude", "expected_annual_reductions")
MAX_SAFE_INTEGER = 2**53 - 1  # RFC 8785 writes numbers as IEEE doubles: beyond, no exact form
HEX_DIGITS = frozenset("0123456789abcdef")


# Each object of a version 1 bundle: its fields and the JSON types each may hold.
_Spec: TypeAlias = Mapping[str, tuple[type, ...]]
_STR: tuple[type, ...] = (str,)
_OPT: tuple[type, ...] = (str, type(None))
_INT, _BOOL, _LIST, _OBJ = (int,), (bool,), (list,), (dict,)
_TOP: _Spec = {
    **dict.fromkeys(("case", "project", "decision", *CATEGORIES), _OBJ),
    **dict.fromkeys(("documents", "reviewers"), _LIST),
    **dict.fromkeys(("version", "issued_at"), _STR),
}
_CASE: _Spec = {"id": _STR, "round": _INT}
_PROJECT: _Spec = {
    **dict.fromkeys(PROJECT_TEXT + PROJECT_DECIMALS, _OPT),
    **dict.fromkeys(("id", "name", "country"), _STR),
    "vintages": _LIST,
}
_DOCUMENT: _Spec = {"id": _STR, "kind": _STR, "version": _INT, "sha256": _STR}
_CHECK: _Spec = {
    **dict.fromkeys(("name", "mode"), _STR),
    **dict.fromkeys(("result", "notes"), _OPT),
    "required": _BOOL,
    "evidence": _LIST,
}
_EVIDENCE: _Spec = {"document_id": _STR, "sha256": _STR}
_DECISION: _Spec = {"decision": _STR, "reason": _OPT, "decided_by": _OPT, "decided_at": _STR}


def structure_problems(bundle: object) -> list[str]:
    """What is wrong with the bundle's shape; empty when it is a well-formed version 1."""
    problems: list[str] = []
    if not _fields(bundle, _TOP, "bundle", problems) or not isinstance(bundle, dict):
        return problems
    if bundle["version"] != BUNDLE_VERSION:
        return [f"version: {bundle['version']!r} is not {BUNDLE_VERSION!r}"]
    where = not_native_path(bundle)
    if where:
        return [f"{where}: not a JSON-native value (strings, integers, booleans, null only)"]
    _fields(bundle["case"], _CASE, "case", problems)
    _fields(bundle["decision"], _DECISION, "decision", problems)
    if _fields(bundle["project"], _PROJECT, "project", problems):
        vintages = bundle["project"]["vintages"]
        if any(isinstance(v, bool) or not isinstance(v, int) for v in vintages):
            problems.append("project.vintages: must be whole numbers")
    if any(not isinstance(r, str) for r in bundle["reviewers"]):
        problems.append("reviewers: must be text")
    docs: dict[str, str] = {}
    for i, doc in enumerate(bundle["documents"]):
        if _fields(doc, _DOCUMENT, f"documents[{i}]", problems):
            _hex(doc["sha256"], f"documents[{i}].sha256", problems)
            docs[doc["id"]] = doc["sha256"]
    for category in CATEGORIES:
        if _fields(bundle[category], {"checks": _LIST}, category, problems):
            _section_problems(bundle[category]["checks"], docs, category, problems)
    return problems


def _section_problems(checks: list[Any], docs: dict[str, str], name: str, out: list[str]) -> None:
    for i, check in enumerate(checks):
        where = f"{name}.checks[{i}]"
        if not _fields(check, _CHECK, where, out):
            continue
        if check["mode"] not in MODES:
            out.append(f"{where}.mode: must be automated or manual")
        for j, item in enumerate(check["evidence"]):
            spot = f"{where}.evidence[{j}]"
            if _fields(item, _EVIDENCE, spot, out) and _hex(item["sha256"], spot, out):
                listed = docs.get(item["document_id"])
                if listed is not None and listed != item["sha256"]:
                    out.append(f"{spot}: sha256 differs from the documents list")


def _fields(value: object, spec: _Spec, where: str, out: list[str]) -> bool:
    """Whether `value` is an object with exactly the spec's fields, each of its types."""
    if not isinstance(value, dict):
        out.append(f"{where}: must be an object")
        return False
    ok = True
    for key in sorted(set(spec) - set(value)):
        out.append(f"{where}.{key}: missing")
        ok = False
    for key in sorted(set(value) - set(spec), key=str):
        out.append(f"{where}.{key}: unexpected field")
    for key, types in spec.items():
        if key in value and not _typed(value[key], types):
            out.append(f"{where}.{key}: must be {' or '.join(t.__name__ for t in types)}")
            ok = False
    return ok


def _typed(value: object, types: tuple[type, ...]) -> bool:
    return isinstance(value, types) and (bool in types or not isinstance(value, bool))


def _hex(value: str, where: str, out: list[str]) -> bool:
    if len(value) == 64 and set(value) <= HEX_DIGITS:
        return True
    out.append(f"{where}: must be 64 lowercase hex digits")
    return False


def not_native_path(value: object) -> str | None:
    """The path of the first value that is not plain JSON data (floats included), if any;
    iterative, so that a hostile nesting depth cannot raise, and linear in the bundle's
    size: each value keeps only its parent and its own step, and a path is spelled out
    for the value it names alone."""
    steps: list[tuple[int, str]] = [(-1, "bundle")]  # per value: its parent's index, its step
    stack: list[tuple[int, object]] = [(0, value)]
    while stack:
        node, item = stack.pop()
        if isinstance(item, dict):
            if any(not isinstance(k, str) for k in item):
                return _path(steps, node)
            for key, child in item.items():
                steps.append((node, f".{key}"))
                stack.append((len(steps) - 1, child))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                steps.append((node, f"[{index}]"))
                stack.append((len(steps) - 1, child))
        elif not (item is None or type(item) in (str, int, bool)):
            return _path(steps, node)
    return None


def _path(steps: list[tuple[int, str]], node: int) -> str:
    parts: list[str] = []
    while node >= 0:
        node, step = steps[node]
        parts.append(step)
    return "".join(reversed(parts))
