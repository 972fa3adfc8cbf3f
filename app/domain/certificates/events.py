"""Facts of the certificates module (notifications subscribe to them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.domain.shared.events import DomainEvent


@dataclass(frozen=True)
class CertificateReady(DomainEvent):
    """A retirement's certificate was issued; its holder is a user or an organization."""

    name: ClassVar[str] = "certificates.certificate_ready"
    certificate_id: str
    retirement_id: str
    owner_kind: str  # "user" or "organization"
    owner_id: str
    organization_id: str | None  # the organization the retirement was made for, if any
    verify_url: str
