"""Errors of the platform kernel."""

from __future__ import annotations


class UnknownJob(LookupError):
    """An outbox job names no registered handler: a deployment is missing a module, or
    the job was written by a newer release. The job stays in the outbox for a retry."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no handler for job {name!r}")
        self.name = name
