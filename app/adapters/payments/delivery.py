"""How the sandbox's webhook events reach the platform's webhook endpoint: over HTTP to a
configured URL (`PAYMENTS_SANDBOX_WEBHOOK_URL`, a running server), or through the
platform's own WSGI application in this process. Both hand the endpoint the exact signed
bytes and the signature header, so the signature is checked either way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import httpx
from werkzeug.test import Client

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

TIMEOUT_SECONDS = 10.0


class HttpTransport:
    def __init__(self, url: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self._url = url
        self._timeout = timeout

    def post(self, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            response = httpx.post(
                self._url, content=body, headers=dict(headers), timeout=self._timeout
            )
        except httpx.HTTPError:
            return 599  # not answered: retried like any refusal
        return response.status_code


class WsgiTransport:
    """Posts through a WSGI application (the platform's own, built on first use)."""

    def __init__(self, app: Callable[[], WSGIApplication], path: str) -> None:
        self._app = app
        self._path = path

    def post(self, body: bytes, headers: Mapping[str, str]) -> int:
        response = Client(self._app()).post(self._path, data=body, headers=dict(headers))
        return response.status_code
