"""RFC 9457 problem details: every error response, ours or the framework's, has this shape."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response, g
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"urn:problem:{code}",
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": g.get("request_id"),
    }
    if errors:
        body["errors"] = dict(errors)
    if extra:
        body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow messages (`{"json": {"a": {"b": [..]}}}`) as `{"a.b": [..]}`."""
    if isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            return {prefix or "_schema": [str(m) for m in messages]}
        flat: dict[str, list[str]] = {}
        for index, item in enumerate(messages):
            flat.update(flatten_messages(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    if isinstance(messages, Mapping):
        flat = {}
        for key, value in messages.items():
            flat.update(flatten_messages(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix or "_schema": [str(messages)]}


def strip_locations(messages: Mapping[str, Any]) -> dict[str, list[str]]:
    """Drop webargs' location level (`json`, `query`, `form`, ...) from field paths."""
    flat: dict[str, list[str]] = {}
    for _location, fields in messages.items():
        for key, value in flatten_messages(fields).items():
            flat.setdefault(key, []).extend(value)
    return flat
