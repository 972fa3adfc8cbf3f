"""A real SMTP server on loopback (aiosmtpd) that collects what it receives, and its fixture."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class _Collector:
    """aiosmtpd handler: parses each DATA into an `EmailMessage` and records the envelope.

    Wire line endings (CRLF) are normalised to LF first, Python's in-memory convention, so
    `get_content()` compares equal to the text that was sent."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = bytes(envelope.original_content or envelope.content)
        message = BytesParser(policy=policy.default).parsebytes(content.replace(b"\r\n", b"\n"))
        assert isinstance(message, EmailMessage)
        with self.changed:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.changed.notify_all()
        return "250 Message accepted for delivery"


class SmtpTestServer:
    """`start()`, send mail to `host:port`, `wait_for(n)`, `stop()`."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self._handler = _Collector()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self._handler.messages

    @property
    def envelopes(self) -> list[tuple[str, list[str]]]:
        """(MAIL FROM, RCPT TO list) per received message."""
        return self._handler.envelopes

    def start(self, port: int | None = None) -> SmtpTestServer:
        """On `port` (a server brought back up where one was down), else a free one."""
        self.port = port or free_port(self.host)
        self._controller = Controller(self._handler, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 5) -> list[EmailMessage]:
        """Block until at least `count` messages arrived; they are returned. Fails on timeout."""
        with self._handler.changed:
            arrived = self._handler.changed.wait_for(
                lambda: len(self._handler.messages) >= count, timeout=timeout
            )
            got = list(self._handler.messages)
        if not arrived:
            raise TimeoutError(f"expected {count} messages within {timeout}s, got {len(got)}")
        return got

    def __enter__(self) -> SmtpTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as server:
        yield server
