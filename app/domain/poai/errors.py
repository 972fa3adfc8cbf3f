"""Errors of PoAI review."""

from __future__ import annotations

from app.domain.shared.errors import Conflict


class CaseStateConflict(Conflict):
    """The case is not in a state that allows this step."""

    code = "case_state"
