"""Bounds on JSON request bodies, enforced before anything parses them.

A JSON body is refused with a 422 naming the limit when it is nested deeper than
`MAX_DEPTH` levels, and with a 413 when it is larger than `MAX_JSON_BYTES`. The depth is
measured on the raw bytes without recursion (strings are skipped, then brackets counted),
so no parser, validator or dependency ever recurses into an attacker's nesting. Free-form
objects inside a body (a project's `metadata`, PoAI `evidence`) get tighter bounds of their
own from `FreeFormObject`.

The process also keeps its recursion limit low enough for the C stack: a dependency
(`py_ecc`) raises it to 100,000 at import, which turns a deep recursion into a
segmentation fault instead of a `RecursionError`. `cap_recursion_limit` puts it back under
`SAFE_RECURSION_LIMIT`, at start-up and before every request, whatever was imported since;
threads started afterwards get a stack large enough for that limit."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import marshmallow as ma
from flask import Flask, Response, request

from app.http.common.problems import problem

MAX_DEPTH = 32
MAX_JSON_BYTES = 2 * 1024 * 1024
# py-evm (the embedded chain) asks for 12,288; every JSON input is bounded far below.
SAFE_RECURSION_LIMIT = 12_288
THREAD_STACK_BYTES = 16 * 1024 * 1024

# A string, or an unterminated one up to the end: every quote starts a match that never
# backtracks, so the scan stays linear whatever the input.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_OPENING = frozenset(b"[{")


def cap_recursion_limit() -> None:
    if sys.getrecursionlimit() > SAFE_RECURSION_LIMIT:
        sys.setrecursionlimit(SAFE_RECURSION_LIMIT)


def make_thread_stacks_deep_enough() -> None:
    """Threads started from now on (request and job threads) get a stack on which
    `SAFE_RECURSION_LIMIT` Python-level recursions cannot overflow (pages are only
    committed when touched)."""
    if threading.stack_size() < THREAD_STACK_BYTES:
        threading.stack_size(THREAD_STACK_BYTES)


def json_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in `data` (0 for a scalar), counted on the raw
    bytes without recursion: strings are removed first, so brackets inside them do not
    count. Malformed input gets a number too; the parser refuses it afterwards."""
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKET)
    steps = (1 if byte in _OPENING else -1 for byte in brackets)
    return max(accumulate(steps, initial=0))


def body_problem(data: bytes) -> Response | None:
    if len(data) > MAX_JSON_BYTES:
        return _too_large(len(data))
    depth = json_depth(data)
    if depth > MAX_DEPTH:
        return problem(
            422,
            "validation_failed",
            f"JSON nested too deeply: at most {MAX_DEPTH} levels of arrays and objects"
            f" (this body has {depth}).",
            errors={"_body": [f"nested deeper than {MAX_DEPTH} levels"]},
        )
    return None


def _too_large(size: int) -> Response:
    detail = f"A JSON body can be at most {MAX_JSON_BYTES} bytes; this one has {size}."
    return problem(413, "payload_too_large", detail)


def _looks_like_json() -> bool:
    """Bodies that a JSON parser may read: a JSON media type, or none or plain text
    (which the API refuses later, but only after this check)."""
    mimetype = request.mimetype or ""
    return (
        mimetype in ("", "text/plain", "application/json")
        or mimetype.endswith("+json")
        or (mimetype.startswith("application/") and mimetype.endswith("json"))
    )


def install(app: Flask) -> None:
    cap_recursion_limit()
    make_thread_stacks_deep_enough()

    @app.before_request
    def _bound_json_body() -> Response | None:
        cap_recursion_limit()
        if request.content_length == 0 or not _looks_like_json():
            return None
        if (request.content_length or 0) > MAX_JSON_BYTES:
            return _too_large(request.content_length or 0)
        data = request.get_data(cache=True)
        return body_problem(data) if data else None


class FreeFormObject(ma.fields.Dict):
    """A JSON object of the client's own keys and values, bounded: at most `max_depth`
    levels deep, `max_keys` keys per object, `max_items` items per array, strings of at
    most `max_string` characters and `max_bytes` bytes in all (as compact JSON)."""

    def __init__(
        self,
        *,
        max_depth: int = 8,
        max_keys: int = 100,
        max_items: int = 100,
        max_string: int = 2000,
        max_bytes: int = 16 * 1024,
        **kwargs: Any,
    ) -> None:
        self.limits = _Limits(max_depth, max_keys, max_items, max_string, max_bytes)
        metadata = {
            "description": (
                f"a JSON object: at most {max_depth} levels deep, {max_keys} keys per object,"
                f" {max_items} items per array, strings of {max_string} characters,"
                f" {max_bytes} bytes in all"
            ),
            "maxProperties": max_keys,
            **dict(kwargs.pop("metadata", None) or {}),
        }
        super().__init__(
            keys=ma.fields.String(),
            metadata=metadata,
            validate=self._within_limits,
            error_messages={"invalid": "must be a JSON object"},
            **kwargs,
        )

    def _within_limits(self, value: Mapping[str, object]) -> None:
        """Checked on the object as loaded: one level of keys copied, nothing recursed."""
        problem_text = self.limits.check(value)
        if problem_text:
            raise ma.ValidationError(problem_text)


@dataclass(frozen=True)
class _Limits:
    max_depth: int
    max_keys: int
    max_items: int
    max_string: int
    max_bytes: int

    def check(self, value: object) -> str | None:
        """The first limit `value` breaks, walked iteratively (no recursion); the size
        is that of compact JSON, near enough."""
        size = 0
        pending: list[tuple[object, int]] = [(value, 1)]
        while pending:
            item, depth = pending.pop()
            broken, item_size = self._one(item, depth, pending)
            size += item_size
            if broken is None and size > self.max_bytes:
                broken = f"larger than {self.max_bytes} bytes"
            if broken:
                return broken
        return None

    def _one(
        self, item: object, depth: int, pending: list[tuple[object, int]]
    ) -> tuple[str | None, int]:
        if isinstance(item, str):
            if len(item) > self.max_string:
                return f"a string is longer than {self.max_string} characters", 0
            return None, len(item.encode()) + 2
        if not isinstance(item, Mapping | list):
            return None, 8
        if depth > self.max_depth:
            return f"nested deeper than {self.max_depth} levels", 0
        if isinstance(item, list):
            return self._array(item, depth, pending)
        return self._object(item, depth, pending)

    def _array(
        self, item: list[object], depth: int, pending: list[tuple[object, int]]
    ) -> tuple[str | None, int]:
        if len(item) > self.max_items:
            return f"an array has more than {self.max_items} items", 0
        pending.extend((child, depth + 1) for child in item)
        return None, 2 + len(item)

    def _object(
        self, item: Mapping[object, object], depth: int, pending: list[tuple[object, int]]
    ) -> tuple[str | None, int]:
        if len(item) > self.max_keys:
            return f"an object has more than {self.max_keys} keys", 0
        size = 2
        for key, child in item.items():
            if not isinstance(key, str) or len(key) > self.max_string:
                return f"keys are strings of at most {self.max_string} characters", 0
            size += len(key.encode()) + 4
            pending.append((child, depth + 1))
        return None, size
