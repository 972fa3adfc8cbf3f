"""`Idempotency-Key` on mutations that move money or credits: the same key and body
return the first response; the same key with another body is a 409."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, make_response, request

from app.domain.shared.errors import Conflict, InvalidValue
from app.domain.shared.hashing import sha256_hex
from app.http.common.auth import current_principal
from app.http.common.deps import platform

HEADER = "Idempotency-Key"


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 200:
            raise InvalidValue(
                "Idempotency-Key must be 1 to 200 characters", code="bad_idempotency_key"
            )
        caller = current_principal().id
        fingerprint = sha256_hex(
            request.method.encode() + b" " + request.path.encode() + b"\n" + request.get_data()
        )
        store = platform().idempotency
        claim = store.begin(caller, key, fingerprint)
        if claim.state == "mismatch":
            raise Conflict(
                "this Idempotency-Key was used with another request", code="idempotency_mismatch"
            )
        if claim.state == "in_progress":
            raise Conflict(
                "a request with this Idempotency-Key is still running",
                code="idempotency_in_progress",
            )
        if claim.state == "replay":
            replay = Response(claim.body, status=claim.status, mimetype="application/json")
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            store.abandon(caller, key)
            raise
        if response.status_code >= 500:
            store.abandon(caller, key)
        else:
            store.finish(caller, key, response.status_code, response.get_data(as_text=True))
        return response

    return wrapper
