"""Retirement certificates: the signed document as issued, the layout fixed with it, the
platform's template and an organization's custom fields.

A certificate's `serial_number` names its kilogram range the way registries name serial
blocks: `CPB-<project id>-<country>-<vintage>-<token id>-<first kg>-<last kg>`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from app.domain.certificates.errors import BadColor, TooManyFields
from app.domain.shared.errors import InvalidValue
from app.domain.shared.json import JSON

DOCUMENT_VERSION = "certificate/1"
MAX_CUSTOM_FIELDS = 10
MAX_LABEL, MAX_VALUE = 60, 200
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
SIGNATURE_FIELDS = ("signature", "disclosure")  # what the signature does not cover


def serial_number(
    project_id: str, country: str, vintage: int, *, token_id: int, kg_start: int, kg_end: int
) -> str:
    """The registry-style string of a retired kilogram range."""
    return f"CPB-{project_id}-{country}-{vintage}-{token_id}-{kg_start}-{kg_end}"


def check_color(name: str, value: str) -> str:
    if not _COLOR.match(value):
        raise BadColor(f"{name} must be #rrggbb", errors={name: ["must be #rrggbb"]})
    return value.lower()


@dataclass(frozen=True)
class CustomField:
    label: str
    value: str

    def __post_init__(self) -> None:
        if not self.label.strip() or len(self.label) > MAX_LABEL or len(self.value) > MAX_VALUE:
            raise InvalidValue(
                f"a custom field has a label of 1-{MAX_LABEL} characters and a value of at "
                f"most {MAX_VALUE}",
                code="custom_field",
            )

    def to_json(self) -> dict[str, JSON]:
        return {"label": self.label, "value": self.value}


def custom_fields(fields: list[CustomField]) -> list[CustomField]:
    if len(fields) > MAX_CUSTOM_FIELDS:
        raise TooManyFields(f"at most {MAX_CUSTOM_FIELDS} custom fields")
    return list(fields)


@dataclass(frozen=True)
class CertificateTemplate:
    """The platform's look of new certificates (set by platform admins)."""

    title: str = "Carbon Credit Retirement Certificate"
    primary_color: str = "#0b5d3b"
    accent_color: str = "#8fc9a9"
    footer_text: str = ""
    logo_document_id: str | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        check_color("primary_color", self.primary_color)
        check_color("accent_color", self.accent_color)
        if not self.title.strip():
            raise InvalidValue("the title may not be blank", code="blank_title")


@dataclass(frozen=True)
class OrganizationFields:
    """An organization's custom fields, printed on its new certificates."""

    organization_id: str
    fields: list[CustomField] = field(default_factory=list)
    updated_by: str | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        custom_fields(self.fields)


@dataclass(frozen=True)
class Certificate:
    """A certificate as issued: `document` is the signed JSON (never signed again),
    `layout` the template and custom fields of that moment (JSON), `logo` the
    logo's bytes read then."""

    id: str
    retirement_id: str
    owner_kind: str
    owner_id: str
    document: dict[str, JSON]
    layout: dict[str, JSON]
    issued_at: datetime
    logo: bytes | None = None
