"""Outgoing email. Adapters: the log (embedded default) and SMTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str | None = None


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Deliver one message or raise (the job is then retried)."""
        ...
