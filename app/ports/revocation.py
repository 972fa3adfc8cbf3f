"""Where every request checks that its session has not been revoked."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class RevocationList(Protocol):
    @property
    def is_sessions_table(self) -> bool:
        """True when the list is the sessions table itself, which `principal_for_session`
        reads anyway: nothing more to ask. False for a store of its own (Redis), asked
        first."""
        ...

    def revoke(self, session_ids: list[str], until: datetime) -> None:
        """Record revoked sessions (called after the revoking transaction commits)."""
        ...

    def is_revoked(self, session_id: str) -> bool: ...
