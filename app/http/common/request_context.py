"""Request ids: taken from `X-Request-ID` when it is sane, made up otherwise; echoed on
the response and attached to every log line through a context variable."""

from __future__ import annotations

import logging
import re
import time
from contextvars import ContextVar

from flask import Flask, Response, g, request

from app.domain.shared.ids import new_id

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
access_log = logging.getLogger("app.access")


def current_request_id() -> str | None:
    return request_id_var.get()


def install(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _SANE.match(incoming) else new_id()
        g.started = time.perf_counter()
        request_id_var.set(g.request_id)

    @app.after_request
    def _finish(response: Response) -> Response:
        rid = g.get("request_id")
        if rid:
            response.headers["X-Request-ID"] = rid
        started = g.get("started")
        if started is not None:
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "http_method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
        return response

    @app.teardown_request
    def _clear(_exc: BaseException | None) -> None:
        request_id_var.set(None)
