"""What job handlers need from the composition root."""

from __future__ import annotations

from typing import Protocol

from app.domain.auth.policy import AuthPolicy
from app.ports.clock import Clock
from app.ports.notifier import Mailer


class WorkerDeps(Protocol):
    @property
    def mailer(self) -> Mailer: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def auth_policy(self) -> AuthPolicy: ...
