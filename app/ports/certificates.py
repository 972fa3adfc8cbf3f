"""What the certificates module needs from outside to draw a certificate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from app.domain.shared.json import JSON


@dataclass(frozen=True)
class CertificateLayout:
    """The look of a certificate, fixed when it is issued (an admin's template and the
    organization's custom fields at that time); colours are `#rrggbb`."""

    title: str = "Carbon Credit Retirement Certificate"
    primary_color: str = "#0b5d3b"
    accent_color: str = "#8fc9a9"
    footer_text: str = ""
    logo_png: bytes | None = None  # the logo document's bytes, PNG or JPEG
    custom_fields: tuple[tuple[str, str], ...] = ()  # (label, value), in order


class CertificateRenderer(Protocol):
    def render_pdf(self, document: Mapping[str, JSON], layout: CertificateLayout) -> bytes:
        """A PDF of a certificate document (page 1 the certificate with a vector QR code
        of `document["verify_url"]`, page 2 its provenance)."""
        ...
