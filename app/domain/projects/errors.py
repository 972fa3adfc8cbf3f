"""Errors of projects."""

from __future__ import annotations

from app.domain.shared.errors import Conflict


class ProjectLocked(Conflict):
    """The project's status does not allow this change."""

    code = "project_locked"


class InvalidTransition(Conflict):
    """The lifecycle has no such move from the current status."""

    code = "invalid_transition"
