"""Mailers against a real SMTP server on loopback, and the log mailer."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import pytest

from app.adapters.notifications.mailers import LogMailer, SmtpMailer, SmtpProbe
from app.ports.notifier import EmailMessage
from tests.integration.smtp_server import SmtpTestServer, smtp_server  # noqa: F401

SENDER = "Carbon Registry <no-reply@registry.example>"


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that is bound (so nobody else takes it) but not listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def test_smtp_mailer_delivers_text_and_html(smtp_server: SmtpTestServer) -> None:  # noqa: F811
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, SENDER, timeout=5)
    mailer.send(
        EmailMessage(
            to="alice@example.com",
            subject="Verify your email — CO₂ registry",
            text="Open https://registry.example/verify?t=abc\n",
            html="<p><a href='https://registry.example/verify?t=abc'>Verify</a></p>",
        )
    )

    [msg] = smtp_server.wait_for(1)
    assert msg["From"] == SENDER
    assert msg["To"] == "alice@example.com"
    assert msg["Subject"] == "Verify your email — CO₂ registry"
    assert msg["Date"]
    assert msg["Message-ID"].startswith("<")
    assert msg["Message-ID"].endswith("@registry.example>")
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert text.get_content() == "Open https://registry.example/verify?t=abc\n"
    assert "href='https://registry.example/verify?t=abc'" in html.get_content()
    assert smtp_server.envelopes == [("no-reply@registry.example", ["alice@example.com"])]


def test_smtp_mailer_text_only(smtp_server: SmtpTestServer) -> None:  # noqa: F811
    SmtpMailer(smtp_server.host, smtp_server.port, SENDER).send(
        EmailMessage(to="bob@example.com", subject="Hi", text="plain only")
    )
    [msg] = smtp_server.wait_for(1)
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content().strip() == "plain only"


def test_smtp_mailer_one_connection_per_message(smtp_server: SmtpTestServer) -> None:  # noqa: F811
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, SENDER)
    for i in range(3):
        mailer.send(EmailMessage(to=f"u{i}@example.com", subject=f"n{i}", text="x"))
    msgs = smtp_server.wait_for(3)
    assert [m["Subject"] for m in msgs] == ["n0", "n1", "n2"]
    assert len({m["Message-ID"] for m in msgs}) == 3


@pytest.mark.parametrize(
    "message",
    [
        EmailMessage(to="a@example.com", subject="hi\r\nBcc: evil@example.com", text="x"),
        EmailMessage(to="a@example.com", subject="hi\nthere", text="x"),
        EmailMessage(to="a@example.com\rBcc: evil@example.com", subject="hi", text="x"),
    ],
)
def test_smtp_mailer_refuses_header_injection(
    smtp_server: SmtpTestServer,  # noqa: F811
    message: EmailMessage,
) -> None:
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, SENDER)
    with pytest.raises(ValueError, match="CR or LF"):
        mailer.send(message)
    assert smtp_server.messages == []


def test_smtp_mailer_rejects_both_tls_modes() -> None:
    with pytest.raises(ValueError, match="starttls or use_ssl"):
        SmtpMailer("localhost", 25, SENDER, starttls=True, use_ssl=True)


def test_smtp_mailer_raises_when_nobody_listens(closed_port: int) -> None:
    mailer = SmtpMailer("127.0.0.1", closed_port, SENDER, timeout=2)
    with pytest.raises(OSError):  # noqa: PT011 - ConnectionRefusedError, any OSError will do
        mailer.send(EmailMessage(to="a@example.com", subject="s", text="t"))


def test_smtp_probe_ok(smtp_server: SmtpTestServer) -> None:  # noqa: F811
    probe = SmtpProbe(smtp_server.host, smtp_server.port)
    assert probe.name == "smtp"
    probe.check()
    assert smtp_server.messages == []


def test_smtp_probe_raises_when_nobody_listens(closed_port: int) -> None:
    with pytest.raises(OSError):  # noqa: PT011
        SmtpProbe("127.0.0.1", closed_port, timeout=1).check()


def test_log_mailer_logs_and_keeps(caplog: pytest.LogCaptureFixture) -> None:
    mailer = LogMailer()
    message = EmailMessage(
        to="alice@example.com",
        subject="Reset your password",
        text="Line one\nhttps://registry.example/reset?t=xyz\n",
        html="<p>ignored by the log</p>",
    )
    with caplog.at_level(logging.INFO, logger="app.mail"):
        mailer.send(message)

    [record] = [r for r in caplog.records if r.name == "app.mail"]
    assert record.levelno == logging.INFO
    logged = record.getMessage()
    assert "alice@example.com" in logged
    assert "Reset your password" in logged
    assert "https://registry.example/reset?t=xyz" in logged
    assert list(mailer.outbox) == [message]
    assert mailer.sent() == [message]


def test_log_mailer_keeps_last_100_across_threads() -> None:
    mailer = LogMailer()

    def burst(n: int) -> None:
        for i in range(50):
            mailer.send(EmailMessage(to=f"t{n}@example.com", subject=str(i), text="x"))

    threads = [threading.Thread(target=burst, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(mailer.outbox) == 100
