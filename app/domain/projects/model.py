"""Climate projects: their fields, their lifecycle and who may move them along it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from app.domain.projects.errors import InvalidTransition, ProjectLocked
from app.domain.shared.countries import ISO_3166_ALPHA2
from app.domain.shared.errors import InvalidValue, PermissionDenied
from app.domain.shared.quantity import Quantity
from app.domain.shared.text import TextRule


class ProjectType(StrEnum):
    FORESTRY = "forestry"
    RENEWABLE_ENERGY = "renewable_energy"
    COOKSTOVES = "cookstoves"
    METHANE_CAPTURE = "methane_capture"
    BLUE_CARBON = "blue_carbon"
    DIRECT_AIR_CAPTURE = "direct_air_capture"
    OTHER = "other"


Mitigation = Literal["reduction", "removal"]
MITIGATIONS: tuple[Mitigation, ...] = ("reduction", "removal")
# What a removal stores carbon by (CSRD ESRS E1-7 separates the two); removals only.
RemovalKind = Literal["biogenic", "technological"]
REMOVAL_KINDS: tuple[RemovalKind, ...] = ("biogenic", "technological")


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REGISTERED = "registered"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"
    REJECTED = "rejected"


class Actor(StrEnum):
    """Who may perform a transition: the owning organization's issuers, a reviewer, a
    platform admin, or the platform itself (the chain indexer, the PoAI workflow)."""

    ISSUER = "issuer"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    SYSTEM = "system"


S, A = Status, Actor
TRANSITIONS: dict[tuple[Status, Status], frozenset[Actor]] = {
    (S.DRAFT, S.SUBMITTED): frozenset({A.ISSUER}),
    (S.CHANGES_REQUESTED, S.SUBMITTED): frozenset({A.ISSUER}),
    (S.SUBMITTED, S.UNDER_REVIEW): frozenset({A.REVIEWER, A.ADMIN, A.SYSTEM}),
    (S.UNDER_REVIEW, S.CHANGES_REQUESTED): frozenset({A.REVIEWER, A.ADMIN, A.SYSTEM}),
    # approval is the PoAI decision, which also issues the proof: never a bare transition
    (S.UNDER_REVIEW, S.APPROVED): frozenset({A.SYSTEM}),
    (S.UNDER_REVIEW, S.REJECTED): frozenset({A.REVIEWER, A.ADMIN, A.SYSTEM}),
    (S.SUBMITTED, S.REJECTED): frozenset({A.REVIEWER, A.ADMIN, A.SYSTEM}),
    (S.APPROVED, S.REGISTERED): frozenset({A.ADMIN, A.SYSTEM}),
    (S.REGISTERED, S.APPROVED): frozenset({A.SYSTEM}),  # the chain record was reorganized away
    (S.REGISTERED, S.ACTIVE): frozenset({A.ISSUER, A.ADMIN, A.SYSTEM}),
    (S.ACTIVE, S.SUSPENDED): frozenset({A.ADMIN, A.SYSTEM}),
    (S.SUSPENDED, S.ACTIVE): frozenset({A.ADMIN, A.SYSTEM}),
    (S.ACTIVE, S.CLOSED): frozenset({A.ISSUER, A.ADMIN}),
    (S.SUSPENDED, S.CLOSED): frozenset({A.ADMIN}),
}
PUBLIC_STATUSES = frozenset({S.REGISTERED, S.ACTIVE, S.SUSPENDED, S.CLOSED})
FULL_EDIT_STATUSES = frozenset({S.DRAFT, S.CHANGES_REQUESTED})
METADATA_EDIT_STATUSES = frozenset({S.REGISTERED, S.ACTIVE, S.SUSPENDED})
DESCRIPTIVE_FIELDS = (
    "name",
    "description",
    "type",
    "methodology",
    "standard",
    "country",
    "region",
    "latitude",
    "longitude",
    "vintages",
    "expected_annual_reductions",
    "mitigation",
    "ccp_approved",
    "corsia_eligible",
    "corresponding_adjustment",
    "removal_kind",
)
FIRST_VINTAGE, LAST_VINTAGE = 1990, 2100
# The free-text fields and their rules (`app.domain.shared.text`); the HTTP schemas use
# the same ones.
TEXT_FIELDS: dict[str, TextRule] = {
    "name": TextRule(200, blank=False),
    "description": TextRule(20_000, multiline=True),
    "methodology": TextRule(200),
    "standard": TextRule(100),
    "region": TextRule(200),
}
# What the PoAI proof certifies beyond the always-valid fields: without it an approval
# could not be proven, so a project goes to review only with it.
REQUIRED_FOR_REVIEW = {"methodology": "the methodology the project applies, such as VM0047"}


@dataclass
class HistoryEntry:
    from_status: Status | None
    to_status: Status
    actor_id: str | None
    reason: str | None
    at: datetime


@dataclass
class Project:
    id: str
    organization_id: str
    name: str
    description: str
    type: ProjectType
    methodology: str
    standard: str
    country: str
    region: str
    latitude: Decimal | None
    longitude: Decimal | None
    vintages: list[int]
    expected_annual_reductions: Quantity
    created_by: str
    created_at: datetime
    updated_at: datetime
    status: Status = Status.DRAFT
    metadata: dict[str, object] = field(default_factory=dict)
    # Quality labels: removal or reduction, ICVCM Core Carbon Principles approval, CORSIA
    # eligibility, and a corresponding adjustment by the host country (Paris Art. 6).
    mitigation: Mitigation = "reduction"
    ccp_approved: bool = False
    corsia_eligible: bool = False
    corresponding_adjustment: bool = False
    removal_kind: RemovalKind | None = None

    def __post_init__(self) -> None:
        validate_fields(self)

    def update(self, changes: dict[str, object], now: datetime) -> dict[str, object]:
        """Apply field changes allowed in the current status; returns the old values."""
        descriptive = {k: v for k, v in changes.items() if k in DESCRIPTIVE_FIELDS}
        if descriptive and self.status not in FULL_EDIT_STATUSES:
            raise ProjectLocked(
                f"a {self.status.value} project's details cannot change"
                + ("; only its metadata" if self.status in METADATA_EDIT_STATUSES else "")
            )
        if "metadata" in changes and self.status not in FULL_EDIT_STATUSES | METADATA_EDIT_STATUSES:
            raise ProjectLocked(f"a {self.status.value} project cannot change")
        changes = clean_text_fields(changes)
        before = {k: getattr(self, k) for k in changes}
        for key, value in changes.items():
            setattr(self, key, value)
        validate_fields(self)
        self.updated_at = now
        return before

    def acting_as(self, to: Status, capacities: Collection[Actor]) -> Actor:
        """The capacity in which a caller holding `capacities` moves the project to `to`
        (the first of those the step allows): `InvalidTransition` when the lifecycle has
        no such step, `PermissionDenied` when none of them may take it."""
        allowed = TRANSITIONS.get((self.status, to))
        if allowed is None:
            raise InvalidTransition(f"a project cannot go from {self.status.value} to {to.value}")
        mine = allowed.intersection(capacities)
        if not mine:
            raise PermissionDenied(
                f"moving a project from {self.status.value} to {to.value} is not yours to do"
            )
        return min(mine)

    def transition(
        self, to: Status, actor: Actor, *, reason: str | None, actor_id: str | None, now: datetime
    ) -> HistoryEntry:
        self.acting_as(to, (actor,))
        if to in {S.REJECTED, S.CHANGES_REQUESTED, S.SUSPENDED, S.CLOSED} and not reason:
            raise InvalidValue("give a reason for this transition", code="reason_required")
        entry = HistoryEntry(self.status, to, actor_id, reason, now)
        self.status, self.updated_at = to, now
        return entry


def clean_text_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """`fields` with each free-text one normalised under its rule; `InvalidValue` with a
    message for every field that breaks it."""
    cleaned = dict(fields)
    errors: dict[str, list[str]] = {}
    for name, rule in TEXT_FIELDS.items():
        if name in cleaned:
            try:
                cleaned[name] = rule.clean(cleaned[name], field=name)
            except InvalidValue as exc:
                errors.update(exc.errors)
    if errors:
        raise InvalidValue(
            "the project has invalid fields", code="validation_failed", errors=errors
        )
    return cleaned


def validate_fields(p: Project) -> None:
    errors: dict[str, list[str]] = {}
    name_max = TEXT_FIELDS["name"].max_length
    if not p.name.strip() or len(p.name) > name_max:
        errors["name"] = [f"1 to {name_max} characters"]
    if p.country not in ISO_3166_ALPHA2:
        errors["country"] = ["an ISO 3166-1 alpha-2 code, such as BR or KE"]
    if (p.latitude is None) != (p.longitude is None):
        errors["latitude"] = ["give both latitude and longitude, or neither"]
    if p.latitude is not None and not Decimal(-90) <= p.latitude <= Decimal(90):
        errors["latitude"] = ["between -90 and 90"]
    if p.longitude is not None and not Decimal(-180) <= p.longitude <= Decimal(180):
        errors["longitude"] = ["between -180 and 180"]
    if len(set(p.vintages)) != len(p.vintages) or any(
        not FIRST_VINTAGE <= v <= LAST_VINTAGE for v in p.vintages
    ):
        errors["vintages"] = [f"distinct years from {FIRST_VINTAGE} to {LAST_VINTAGE}"]
    if p.mitigation not in MITIGATIONS:
        errors["mitigation"] = ["reduction or removal"]
    if p.removal_kind is not None and (
        p.removal_kind not in REMOVAL_KINDS or p.mitigation != "removal"
    ):
        errors["removal_kind"] = ["biogenic or technological, for removals only"]
    if errors:
        raise InvalidValue(
            "the project has invalid fields", code="validation_failed", errors=errors
        )
    p.vintages.sort()


def review_gaps(p: Project) -> dict[str, list[str]]:
    """The fields a project must fill before review, each with what is expected; empty
    when it is complete. Blank text counts as missing."""
    return {
        name: [f"required before review: {expected}"]
        for name, expected in REQUIRED_FOR_REVIEW.items()
        if not str(getattr(p, name) or "").strip()
    }
