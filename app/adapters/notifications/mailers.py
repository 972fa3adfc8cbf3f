"""Mailers: `LogMailer` (embedded default, prints to the log) and `SmtpMailer` (real delivery)."""

from __future__ import annotations

import email.message
import logging
import smtplib
import ssl
import threading
from collections import deque
from email.utils import formatdate, make_msgid, parseaddr

from app.ports.notifier import EmailMessage, PermanentFailure

log = logging.getLogger("app.mail")


class LogMailer:
    """Logs each message in full (so links can be clicked) and keeps the last 100 in `outbox`."""

    def __init__(self, keep: int = 100) -> None:
        self.outbox: deque[EmailMessage] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        with self._lock:
            self.outbox.append(message)
        log.info("mail to=%s subject=%r\n%s", message.to, message.subject, message.text)

    def sent(self) -> list[EmailMessage]:
        """A snapshot of the kept messages, oldest first."""
        with self._lock:
            return list(self.outbox)


class SmtpMailer:
    """One SMTP connection per message; any failure raises so the caller retries."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        use_ssl: bool = False,
        timeout: float = 10.0,
    ) -> None:
        if starttls and use_ssl:
            raise ValueError("choose either starttls or use_ssl, not both")
        _refuse_newlines("sender", sender)
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.starttls, self.use_ssl, self.timeout = starttls, use_ssl, timeout
        domain = parseaddr(sender)[1].rpartition("@")[2]
        self._domain = domain or None

    def build(self, message: EmailMessage) -> email.message.EmailMessage:
        _refuse_newlines("to", message.to)
        _refuse_newlines("subject", message.subject)
        msg = email.message.EmailMessage()
        msg["From"] = self.sender
        msg["To"] = message.to
        msg["Subject"] = message.subject
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain=self._domain)
        for name, value in message.headers.items():
            _refuse_newlines(name, value)
            msg[name] = value
        msg.set_content(message.text)
        if message.html is not None:
            msg.add_alternative(message.html, subtype="html")
        return msg

    def send(self, message: EmailMessage) -> None:
        """Raises `PermanentFailure` when the server refuses for good (a 5xx reply);
        anything else (no connection, a 4xx) is worth another try."""
        msg = self.build(message)
        try:
            self._send(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            if all(code >= 500 for code, _ in exc.recipients.values()):
                raise PermanentFailure(f"recipients refused: {exc.recipients}") from exc
            raise
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code >= 500:
                raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise

    def _send(self, msg: email.message.EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username is not None and self.password is not None:
                smtp.login(self.username, self.password)
            smtp.send_message(msg)


class SmtpProbe:
    """Readiness: the SMTP server accepts a connection and answers NOOP."""

    name = "smtp"

    def __init__(self, host: str, port: int, timeout: float = 3) -> None:
        self.host, self.port, self.timeout = host, port, timeout

    def check(self) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            code, reply = smtp.noop()
            if code != 250:
                raise smtplib.SMTPResponseException(code, reply)


def _refuse_newlines(field: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(f"{field} must not contain CR or LF")
