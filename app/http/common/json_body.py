"""A JSON body has to say it is JSON. An operation that reads a JSON body answers a
non-empty body sent with another media type (or none) with 415 `unsupported_media_type`,
in one place for every such operation: without this, webargs ignores the body and the
client is told that every required field is missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request

from app.http.common.problems import problem

DETAIL = "Send the request body as JSON, with the header Content-Type: application/json."
ACCEPT_HEADERS = {"POST": "Accept-Post", "PATCH": "Accept-Patch"}  # RFC 9110, RFC 5789


def reads_json_body(view: Callable[..., Any]) -> bool:
    """Whether the view parses its body as JSON (flask-smorest `arguments`, location
    `json`, its default)."""
    arguments = getattr(view, "_apidoc", {}).get("arguments", {})
    return any(p.get("in") == "json" for p in arguments.get("parameters", []))


def install(app: Flask) -> None:
    @app.before_request
    def _json_media_type() -> Response | None:
        if request.is_json:
            return None
        view = app.view_functions.get(request.endpoint or "")
        if view is None or not reads_json_body(view) or not request.get_data(cache=True):
            return None
        accept = ACCEPT_HEADERS.get(request.method)
        headers = {accept: "application/json"} if accept else None
        return problem(415, "unsupported_media_type", DETAIL, headers=headers)
