"""What the platform kernel reports: a job's outcome, readiness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class JobOutcome:
    job_id: str
    status: Literal["done", "duplicate", "unknown"]


@dataclass(frozen=True)
class Readiness:
    ready: bool
    checks: dict[str, str]
