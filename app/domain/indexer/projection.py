"""What each platform event changes, wired in one place (`PROJECTIONS`): the credit
ledger follows the credit events, the marketplace the transfers that deliver its orders,
a project becomes registered when its record is minted on chain, and governance proposals
follow their contract's events (`app.domain.governance.projection`). Every other decoded
event (operators, ownership, project configuration) is stored by the indexer and
projected nowhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from app.domain.credits.projection import apply_credit_events
from app.domain.governance import projection as governance
from app.domain.indexer.services import Projector
from app.domain.marketplace.projection import apply_market_events
from app.domain.projects.model import Status
from app.domain.projects.services import system_transition
from app.domain.shared.chain import ChainEvent
from app.ports.clock import Clock
from app.ports.repositories.governance import GovernanceUoW
from app.ports.repositories.indexer import IndexerUoW
from app.ports.repositories.marketplace import MarketUoW


class ProjectionUoW(IndexerUoW, MarketUoW, GovernanceUoW, Protocol):
    """The indexer's transaction touches every projected module."""


# (the batch's events it follows, in block order, unit, sign, clock)
Apply = Callable[[list[ChainEvent], ProjectionUoW, int, Clock], None]


@dataclass(frozen=True)
class Projection:
    """One module's projection and the events it follows."""

    name: str
    follows: frozenset[str]
    apply: Apply


def _ledger(events: list[ChainEvent], uow: ProjectionUoW, sign: int, clock: Clock) -> None:
    # A whole batch at once: its changes are summed per holding and written once each.
    apply_credit_events(events, uow, sign, clock.now())


def _market(events: list[ChainEvent], uow: ProjectionUoW, sign: int, clock: Clock) -> None:
    # After the ledger: the transfer's amounts have moved; the order it delivers follows.
    apply_market_events(events, uow, sign, clock.now())


def _registrations(events: list[ChainEvent], uow: ProjectionUoW, sign: int, clock: Clock) -> None:
    for event in events:
        _registered(event, uow, sign, clock)


def _governance(events: list[ChainEvent], uow: ProjectionUoW, sign: int, _: Clock) -> None:
    governance.apply_governance_events(events, uow, sign)


# Run in this order on each batch.
PROJECTIONS: tuple[Projection, ...] = (
    Projection(
        "ledger", frozenset({"CreditsMinted", "CreditsTransferred", "CreditsRetired"}), _ledger
    ),
    Projection("marketplace", frozenset({"CreditsTransferred"}), _market),
    Projection("project registration", frozenset({"ProjectRecordMinted"}), _registrations),
    Projection("governance", governance.FOLLOWS, _governance),
)


def projections_for(event_name: str) -> tuple[str, ...]:
    """The names of the projections an event feeds (none for most)."""
    return tuple(p.name for p in PROJECTIONS if event_name in p.follows)


@dataclass(frozen=True)
class PlatformProjector:
    """The indexer's `Projector`: each projection gets the batch's events it follows."""

    clock: Clock
    projections: Sequence[Projection] = PROJECTIONS

    def __call__(self, events: list[ChainEvent], uow: ProjectionUoW, sign: int, /) -> None:
        for projection in self.projections:
            followed = [event for event in events if event.name in projection.follows]
            if followed:
                projection.apply(followed, uow, sign, self.clock)


def platform_projector(clock: Clock) -> Projector[ProjectionUoW]:
    return PlatformProjector(clock)


def _registered(event: ChainEvent, uow: ProjectionUoW, sign: int, clock: Clock) -> None:
    project_id = uow.credits.project_for_key(str(event.args["projectKey"]))
    if project_id is None:
        return
    project = uow.projects.get(project_id)
    if project is None:
        return
    if sign > 0 and project.status == Status.APPROVED:
        system_transition(
            project_id, Status.REGISTERED, reason="record minted on chain", uow=uow, clock=clock
        )
    elif sign < 0 and project.status == Status.REGISTERED:
        system_transition(
            project_id, Status.APPROVED, reason="chain reorganization", uow=uow, clock=clock
        )
