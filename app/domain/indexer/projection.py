"""What each platform event changes: the credit ledger, and projects becoming registered
when their record is minted on chain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from app.domain.credits.projection import apply_credit_events
from app.domain.projects.model import Status
from app.domain.projects.services import system_transition
from app.domain.shared.chain import ChainEvent
from app.ports.clock import Clock
from app.ports.repositories.credits import CreditsUoW
from app.ports.repositories.indexer import IndexerUoW
from app.ports.repositories.projects import ProjectsUoW


class ProjectionUoW(IndexerUoW, CreditsUoW, ProjectsUoW, Protocol):
    """The indexer's transaction touches every projected module."""


def platform_projector(clock: Clock) -> Callable[[list[ChainEvent], ProjectionUoW, int], None]:
    def project(events: list[ChainEvent], uow: ProjectionUoW, sign: int) -> None:
        apply_credit_events(events, uow, sign, clock.now())
        for event in events:
            if event.name == "ProjectRecordMinted":
                _registered(event, uow, sign, clock)

    return project


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
