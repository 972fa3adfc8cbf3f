"""What the OpenAPI document says of every operation beyond its own decorators.

Responses every operation can give because of what stands in front of all of them:
the rate limit (429) and a busy database or chain (503) anywhere; 401 and 403 where
credentials are needed; 404 where the path names a resource; 400 (malformed JSON), 413
(too large) and 415 (not sent as JSON) where a JSON body is read; 409 (a concurrent
change won) on writes.
Error bodies are documented as `application/problem+json`, the media type they are sent
with, also where an operation documents an error of its own.

`rule_codes` declares, on an operation, the error codes of domain rules that a request
can break while being valid by its schema (a password found in a list of common ones,
a rejection without a reason): they are listed in the operation's `x-rule-codes`, and
the OpenAPI gate accepts a 422 for a schema-valid request only with one of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from apispec import BasePlugin

from app.http.common.problems import PROBLEM_MEDIA_TYPE

F = TypeVar("F", bound=Callable[..., Any])
WRITES = frozenset({"post", "put", "patch", "delete"})
RULE_CODES = "x-rule-codes"


def rule_codes(*codes: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        doc = getattr(view, "_apidoc", {})
        manual = doc.get("manual_doc", {})
        known = list(manual.get(RULE_CODES, []))
        vars(view)["_apidoc"] = {
            **doc,
            "manual_doc": {**manual, RULE_CODES: sorted({*known, *codes})},
        }
        return view

    return decorator


class CrossCuttingResponses(BasePlugin):
    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for method, operation in (operations or {}).items():
            if not isinstance(operation, dict):
                continue
            responses: dict[str | int, Any] = operation.setdefault("responses", {})
            for code, response in responses.items():
                if str(code)[:1] in "45" and isinstance(response, dict):
                    _as_problem(response)
            for status in _statuses(method, path or "", operation):
                if status not in responses and int(status) not in responses:
                    responses[status] = _NAMES[status]


def _as_problem(response: dict[str, Any]) -> None:
    content = response.get("content")
    if isinstance(content, dict) and "application/json" in content:  # status >= 400
        content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")


def _statuses(method: str, path: str, operation: dict[str, Any]) -> list[str]:
    statuses = ["429", "503"]
    if operation.get("security"):
        statuses += ["401", "403"]
    if "{" in path:
        statuses.append("404")
    content = (operation.get("requestBody") or {}).get("content") or {}
    if "application/json" in content:
        statuses += ["400", "413", "415"]
    if method in WRITES:
        statuses.append("409")
    return statuses


_NAMES = {
    "400": "BAD_REQUEST",
    "401": "UNAUTHORIZED",
    "403": "FORBIDDEN",
    "404": "NOT_FOUND",
    "409": "CONFLICT",
    "413": "REQUEST_ENTITY_TOO_LARGE",
    "415": "UNSUPPORTED_MEDIA_TYPE",
    "429": "TOO_MANY_REQUESTS",
    "503": "SERVICE_UNAVAILABLE",
}
