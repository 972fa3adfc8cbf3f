"""Use cases of PoAI review: cases opened on submission, reviewer assignment, checks
(automated and manual), decisions with the project following the case."""

from __future__ import annotations

from app.domain.auth.permissions import Role
from app.domain.auth.principal import Principal
from app.domain.poai.case_bundle import ensure_provable
from app.domain.poai.errors import CaseStateConflict
from app.domain.poai.events import CaseStatusChanged
from app.domain.poai.model import (
    DEFAULT_CHECKLIST,
    Case,
    CaseHistoryEntry,
    CaseStatus,
    Check,
    Decision,
)
from app.domain.projects.model import Status
from app.domain.projects.services import system_transition
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from app.domain.shared.ids import new_id
from app.domain.shared.jobs import Job
from app.ports.clock import Clock
from app.ports.repositories.poai import PoaiUoW

PROJECT_FOLLOWS = {
    CaseStatus.IN_REVIEW: Status.UNDER_REVIEW,
    CaseStatus.CHANGES_REQUESTED: Status.CHANGES_REQUESTED,
    CaseStatus.APPROVED: Status.APPROVED,
    CaseStatus.REJECTED: Status.REJECTED,
}


def _checklist(case: Case, now_round: int) -> list[Check]:
    return [
        Check(new_id(), case.id, now_round, category, name, mode, required)
        for name, category, mode, required in DEFAULT_CHECKLIST
    ]


def _history(
    uow: PoaiUoW,
    case: Case,
    *,
    before: str | None,
    actor: str | None,
    reason: str | None,
    clock: Clock,
) -> None:
    uow.poai.add_history(
        CaseHistoryEntry(
            case.id,
            case.round,
            CaseStatus(before) if before else None,
            case.status,
            actor,
            reason,
            clock.now(),
        )
    )
    uow.publish(
        CaseStatusChanged(
            case.id,
            case.project_id,
            case.organization_id,
            case.round,
            before,
            case.status.value,
            actor,
            reason,
        )
    )
    uow.audit(
        AuditRecord(
            "poai.case_status",
            "poai_case",
            case.id,
            actor,
            before={"status": before},
            after={"status": case.status.value, "round": case.round},
            organization_id=case.organization_id,
        )
    )


def _follow(uow: PoaiUoW, case: Case, reason: str | None, clock: Clock) -> None:
    """Move the project to the status matching the case (inside the same transaction)."""
    target = PROJECT_FOLLOWS.get(case.status)
    project = uow.projects.get(case.project_id)
    if target is None or project is None or project.status == target:
        return
    system_transition(case.project_id, target, reason=reason, uow=uow, clock=clock)


def open_case(project_id: str, *, uow: PoaiUoW, clock: Clock, actor_id: str | None = None) -> Case:
    """On submission: a new case, or the next round of the case awaiting changes."""
    project = uow.projects.get(project_id)
    if project is None:
        raise NotFound("project not found")
    if project.status != Status.SUBMITTED:
        raise Conflict("only a submitted project is reviewed", code="not_submitted")
    case = uow.poai.active_case_for(project_id)
    if case is not None and case.status == CaseStatus.CHANGES_REQUESTED:
        before = case.status.value
        case.resubmitted()
        uow.poai.save_case(case)
        _history(uow, case, before=before, actor=actor_id, reason="resubmitted", clock=clock)
    elif case is None:
        case = Case(new_id(), project_id, project.organization_id, clock.now())
        uow.poai.add_case(case)
        _history(uow, case, before=None, actor=actor_id, reason=None, clock=clock)
    else:
        return case  # already open for this submission
    uow.poai.add_checks(_checklist(case, case.round))
    _follow(uow, case, "review resumed", clock)
    uow.enqueue(Job("poai.run_checks", {"case_id": case.id}))
    return case


def open_case_by_hand(principal: Principal, project_id: str, *, uow: PoaiUoW, clock: Clock) -> Case:
    if not principal.is_admin:
        raise PermissionDenied("only platform admins open cases by hand")
    with uow:
        case = open_case(project_id, uow=uow, clock=clock, actor_id=principal.id)
        uow.commit()
        return case


def case_for(principal: Principal, case_id: str, uow: PoaiUoW, *, lock: bool = False) -> Case:
    case = (uow.poai.case_for_update if lock else uow.poai.get_case)(case_id)
    if case is None or not can_see_case(principal, case):
        raise NotFound("case not found")
    return case


def can_see_case(principal: Principal, case: Case) -> bool:
    return (
        principal.is_admin
        or principal.id in case.reviewer_ids
        or principal.acts_for(case.organization_id)
    )


def require_reviewer(principal: Principal, case: Case) -> None:
    if not (principal.is_admin or principal.id in case.reviewer_ids):
        raise PermissionDenied("only the case's assigned reviewers act on it")


def assign_reviewer(
    principal: Principal, case_id: str, reviewer_id: str, *, uow: PoaiUoW, clock: Clock
) -> Case:
    if not principal.is_admin:
        raise PermissionDenied("only platform admins assign reviewers")
    with uow:
        case = case_for(principal, case_id, uow, lock=True)
        if not case.active:
            raise CaseStateConflict("the case is closed")
        reviewer = uow.users.get(reviewer_id)
        if reviewer is None or Role.POAI_REVIEWER not in reviewer.roles:
            raise RuleViolation(
                "the assignee must hold the poai_reviewer role", code="not_a_reviewer"
            )
        if case.organization_id in uow.organizations.memberships_of(reviewer_id):
            raise Conflict(
                "conflict of interest: the reviewer belongs to the issuing organization",
                code="conflict_of_interest",
            )
        if reviewer_id not in case.reviewer_ids:
            case.reviewer_ids.append(reviewer_id)
        before = case.status.value
        if case.start_review():
            _history(
                uow,
                case,
                before=before,
                actor=principal.id,
                reason="reviewer assigned",
                clock=clock,
            )
            _follow(uow, case, "review started", clock)
        uow.poai.save_case(case)
        uow.audit(
            AuditRecord(
                "poai.reviewer_assigned",
                "poai_case",
                case.id,
                principal.id,
                after={"reviewer_id": reviewer_id},
                organization_id=case.organization_id,
            )
        )
        uow.commit()
        return case


def list_cases(
    principal: Principal, *, offset: int, limit: int, uow: PoaiUoW
) -> tuple[list[Case], int]:
    """A page of the cases the principal sees, newest first, and how many it sees."""
    with uow:
        if principal.is_admin:
            return uow.poai.list_cases(
                reviewer_id=None, organization_ids=None, offset=offset, limit=limit
            )
        return uow.poai.list_cases(
            reviewer_id=principal.id,
            organization_ids=list(principal.organizations),
            offset=offset,
            limit=limit,
        )


def get_case(principal: Principal, case_id: str, *, uow: PoaiUoW) -> Case:
    with uow:
        return case_for(principal, case_id, uow)


def decide(
    principal: Principal,
    case_id: str,
    decision: Decision,
    *,
    reason: str | None,
    uow: PoaiUoW,
    clock: Clock,
) -> Case:
    with uow:
        case = case_for(principal, case_id, uow, lock=True)
        require_reviewer(principal, case)
        checks = uow.poai.checks(case.id, case.round)
        before = case.status.value
        case.decide(decision, checks=checks, reason=reason, by=principal.id, at=clock.now())
        if case.status == CaseStatus.APPROVED:
            ensure_provable(case, uow=uow, issued_at=clock.now())
        uow.poai.save_case(case)
        _history(uow, case, before=before, actor=principal.id, reason=reason, clock=clock)
        _follow(uow, case, reason or decision.value, clock)
        if case.status == CaseStatus.APPROVED:
            uow.enqueue(Job("poai.issue_proof", {"case_id": case.id}))
        uow.commit()
        return case


def case_history(principal: Principal, case_id: str, *, uow: PoaiUoW) -> list[CaseHistoryEntry]:
    with uow:
        case = case_for(principal, case_id, uow)
        return uow.poai.history(case.id)
