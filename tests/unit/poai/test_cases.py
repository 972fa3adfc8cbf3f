"""PoAI review: a case opens on submission with the checklist, an admin assigns
reviewers (never one of the issuing organization), the assigned reviewers record the
manual checks and decide, and the project follows the case."""

from __future__ import annotations

import hashlib

import pytest

from app.domain.auth.model import Organization, User
from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.documents.model import Document, DocumentKind, DocumentVersion
from app.domain.poai import checks, services
from app.domain.poai.events import CaseStatusChanged
from app.domain.poai.model import (
    DEFAULT_CHECKLIST,
    Case,
    CaseStatus,
    Category,
    Decision,
    Mode,
    Result,
)
from app.domain.projects.model import Status
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from tests.fakes.clock import FakeClock
from tests.fakes.poai import FakePoaiUnitOfWork
from tests.unit.builders import NOW, ORG, PID, project

ADMIN = Principal("u-admin", "user", frozenset({Role.PLATFORM_ADMIN}))
REVIEWER = Principal("u-rev", "user", frozenset({Role.POAI_REVIEWER}))
OTHER_REVIEWER = Principal("u-rev-2", "user", frozenset({Role.POAI_REVIEWER}))
ISSUER = Principal("u-issuer", "user", frozenset({Role.ISSUER}), {ORG: OrgRole.ADMIN})
STRANGER = Principal("u-x", "user", frozenset({Role.RETAIL}))
SHA = hashlib.sha256(b"design").hexdigest()
INSIDER = "u-insider"  # a reviewer who is also a member of the issuing organization


def _user(user_id: str, *roles: Role) -> User:
    return User(user_id, f"{user_id}@example.org", user_id, None, NOW, roles=set(roles))


@pytest.fixture
def uow() -> FakePoaiUnitOfWork:
    """A submitted project, reviewers, the issuing organization and an evidence document."""
    unit = FakePoaiUnitOfWork(FakeClock(NOW))
    unit.projects.add(project(status=Status.SUBMITTED))
    for user_id in (REVIEWER.id, OTHER_REVIEWER.id, INSIDER):
        unit.users.add(_user(user_id, Role.POAI_REVIEWER))
    unit.users.add(_user(STRANGER.id, Role.RETAIL))
    members = {ISSUER.id: OrgRole.ADMIN, INSIDER: OrgRole.VIEWER}
    unit.organizations.add(Organization(ORG, "Mata Viva Ltd", NOW, ISSUER.id, members))
    unit.documents.add(Document("doc-1", PID, ORG, DocumentKind.PROJECT_DESIGN, 1, "u", NOW, NOW))
    unit.documents.add_version(
        DocumentVersion(
            "doc-1", 1, "d.pdf", "application/pdf", 6, SHA, "fake", "k", b"", "m", "u", NOW
        )
    )
    unit.commit()
    return unit


def opened(uow: FakePoaiUnitOfWork) -> Case:
    return services.open_case_by_hand(ADMIN, PID, uow=uow, clock=uow.clock)


def in_review(uow: FakePoaiUnitOfWork) -> Case:
    case = opened(uow)
    return services.assign_reviewer(ADMIN, case.id, REVIEWER.id, uow=uow, clock=uow.clock)


def record(uow: FakePoaiUnitOfWork, check_id: str, result: Result = Result.PASS, **over):
    fields = {"principal": REVIEWER, "notes": "seen", "evidence_document_ids": ["doc-1"]} | over
    return checks.record_manual_check(
        fields.pop("principal"), check_id, result=result, uow=uow, clock=uow.clock, **fields
    )


def decide(uow: FakePoaiUnitOfWork, case: Case, decision: Decision, reason: str | None = None):
    return services.decide(REVIEWER, case.id, decision, reason=reason, uow=uow, clock=uow.clock)


def pass_every_check(uow: FakePoaiUnitOfWork, case: Case) -> None:
    """The platform ran the automated checks; the reviewer passed the manual ones."""
    for check in uow.poai.checks(case.id, case.round):
        if check.mode == Mode.MANUAL:
            record(uow, check.id)
        else:
            check.record(Result.PASS, notes="", evidence={}, by=None, at=NOW)
            uow.poai.save_check(check)
    uow.commit()


def statuses(uow: FakePoaiUnitOfWork, case: Case) -> list[tuple[str | None, str]]:
    return [(h.from_status, h.to_status) for h in uow.poai.history(case.id)]


# --- opening -------------------------------------------------------------------------------


def test_a_submitted_project_gets_a_case_with_the_checklist(uow: FakePoaiUnitOfWork):
    case = opened(uow)

    assert (case.status, case.round, case.organization_id) == (CaseStatus.OPEN, 1, ORG)
    assert uow.poai.get_case(case.id) == case
    names = [c.name for c in uow.poai.checks(case.id, 1)]
    assert sorted(names) == sorted(name for name, *_ in DEFAULT_CHECKLIST)
    assert statuses(uow, case) == [(None, "open")]
    assert [j.name for j in uow.outbox.jobs.values()] == ["poai.run_checks"]
    [event] = uow.dispatched
    assert isinstance(event, CaseStatusChanged)
    assert (event.case_id, event.to_status, event.actor_id) == (case.id, "open", ADMIN.id)


def test_opening_again_for_the_same_submission_changes_nothing(uow: FakePoaiUnitOfWork):
    case = opened(uow)
    assert opened(uow).id == case.id
    assert len(uow.poai.checks(case.id)) == len(DEFAULT_CHECKLIST)
    assert len(uow.poai.cases) == 1


def test_only_a_submitted_project_is_reviewed(uow: FakePoaiUnitOfWork):
    uow.projects.add(project(id="p-draft", status=Status.DRAFT))
    uow.commit()
    with pytest.raises(Conflict) as refused:
        services.open_case_by_hand(ADMIN, "p-draft", uow=uow, clock=uow.clock)
    assert refused.value.code == "not_submitted"
    with pytest.raises(NotFound):
        services.open_case_by_hand(ADMIN, "no-such-project", uow=uow, clock=uow.clock)
    assert uow.poai.cases == {}


def test_only_platform_admins_open_cases_by_hand(uow: FakePoaiUnitOfWork):
    with pytest.raises(PermissionDenied):
        services.open_case_by_hand(ISSUER, PID, uow=uow, clock=uow.clock)
    assert uow.poai.cases == {}


def test_a_resubmission_opens_the_next_round_with_the_same_reviewers(uow: FakePoaiUnitOfWork):
    case = in_review(uow)
    decide(uow, case, Decision.REQUEST_CHANGES, reason="the land title is missing")
    project = uow.projects.get(PID)
    project.status = Status.SUBMITTED  # the issuer fixed it and submitted again
    uow.projects.save(project)
    uow.commit()

    again = opened(uow)

    assert (again.id, again.round, again.status) == (case.id, 2, CaseStatus.IN_REVIEW)
    assert again.decision is None
    assert again.reviewer_ids == [REVIEWER.id]
    assert len(uow.poai.checks(case.id, 2)) == len(DEFAULT_CHECKLIST)
    assert len(uow.poai.checks(case.id, 1)) == len(DEFAULT_CHECKLIST)  # round 1 is kept
    assert uow.projects.get(PID).status == Status.UNDER_REVIEW


# --- assigning reviewers -------------------------------------------------------------------


def test_assigning_a_reviewer_starts_the_review(uow: FakePoaiUnitOfWork):
    case = in_review(uow)

    assert (case.status, case.reviewer_ids) == (CaseStatus.IN_REVIEW, [REVIEWER.id])
    assert uow.poai.get_case(case.id) == case
    assert uow.projects.get(PID).status == Status.UNDER_REVIEW
    assert statuses(uow, case) == [(None, "open"), ("open", "in_review")]
    actions = [e.action for e in uow.audit_log.entries]
    assert actions[-1] == "poai.reviewer_assigned"


def test_a_second_reviewer_joins_without_restarting_anything(uow: FakePoaiUnitOfWork):
    case = in_review(uow)
    for reviewer in (OTHER_REVIEWER.id, OTHER_REVIEWER.id):
        case = services.assign_reviewer(ADMIN, case.id, reviewer, uow=uow, clock=uow.clock)
    assert case.reviewer_ids == [REVIEWER.id, OTHER_REVIEWER.id]
    assert len(statuses(uow, case)) == 2


def test_only_platform_admins_assign_reviewers(uow: FakePoaiUnitOfWork):
    case = opened(uow)
    with pytest.raises(PermissionDenied):
        services.assign_reviewer(REVIEWER, case.id, REVIEWER.id, uow=uow, clock=uow.clock)
    assert uow.poai.get_case(case.id).reviewer_ids == []


@pytest.mark.parametrize("assignee", [STRANGER.id, "no-such-user"])
def test_the_assignee_must_be_a_reviewer(uow: FakePoaiUnitOfWork, assignee: str):
    case = opened(uow)
    with pytest.raises(RuleViolation) as refused:
        services.assign_reviewer(ADMIN, case.id, assignee, uow=uow, clock=uow.clock)
    assert refused.value.code == "not_a_reviewer"


def test_a_reviewer_of_the_issuing_organization_is_a_conflict_of_interest(
    uow: FakePoaiUnitOfWork,
):
    case = opened(uow)
    with pytest.raises(Conflict) as refused:
        services.assign_reviewer(ADMIN, case.id, INSIDER, uow=uow, clock=uow.clock)
    assert refused.value.code == "conflict_of_interest"
    assert uow.poai.get_case(case.id).status == CaseStatus.OPEN


def test_a_closed_case_takes_no_reviewer(uow: FakePoaiUnitOfWork):
    case = in_review(uow)
    decide(uow, case, Decision.REJECT, reason="not additional")
    with pytest.raises(Conflict) as refused:
        services.assign_reviewer(ADMIN, case.id, OTHER_REVIEWER.id, uow=uow, clock=uow.clock)
    assert refused.value.code == "case_state"


# --- who sees a case -----------------------------------------------------------------------


def test_cases_are_seen_by_their_reviewers_their_organization_and_admins(
    uow: FakePoaiUnitOfWork,
):
    case = in_review(uow)
    for principal in (ADMIN, REVIEWER, ISSUER):
        listed, total = services.list_cases(principal, offset=0, limit=10, uow=uow)
        assert ([c.id for c in listed], total) == ([case.id], 1)
        assert services.get_case(principal, case.id, uow=uow).id == case.id
    for principal in (OTHER_REVIEWER, STRANGER):
        assert services.list_cases(principal, offset=0, limit=10, uow=uow) == ([], 0)
        with pytest.raises(NotFound):
            services.get_case(principal, case.id, uow=uow)
        with pytest.raises(NotFound):
            checks.list_checks(principal, case.id, uow=uow)


# --- checks --------------------------------------------------------------------------------


def test_an_assigned_reviewer_adds_a_manual_check_to_the_round(uow: FakePoaiUnitOfWork):
    case = in_review(uow)
    check = checks.add_check(
        REVIEWER,
        case.id,
        category=Category.PROCESS,
        name="site_visit",
        required=True,
        uow=uow,
        clock=uow.clock,
    )
    assert (check.mode, check.round, check.result) == (Mode.MANUAL, 1, Result.PENDING)
    assert check in checks.list_checks(ISSUER, case.id, uow=uow)


def test_checks_are_added_by_the_cases_reviewers_while_it_is_in_review(uow: FakePoaiUnitOfWork):
    case = opened(uow)
    add = {"category": Category.DATA, "name": "extra", "required": False, "clock": uow.clock}
    with pytest.raises(Conflict) as refused:
        checks.add_check(ADMIN, case.id, uow=uow, **add)  # not in review yet
    assert refused.value.code == "case_state"
    in_review_case = services.assign_reviewer(ADMIN, case.id, REVIEWER.id, uow=uow, clock=uow.clock)
    with pytest.raises(PermissionDenied):  # sees the case, does not review it
        checks.add_check(ISSUER, in_review_case.id, uow=uow, **add)
    assert len(uow.poai.checks(case.id)) == len(DEFAULT_CHECKLIST)


def test_a_reviewer_records_a_manual_check_with_evidence(uow: FakePoaiUnitOfWork):
    case = in_review(uow)
    manual = next(c for c in uow.poai.checks(case.id) if c.mode == Mode.MANUAL)

    recorded = record(uow, manual.id, Result.FAIL, notes="title disputed")

    assert (recorded.result, recorded.notes) == (Result.FAIL, "title disputed")
    assert (recorded.updated_by, recorded.evidence_document_ids) == (REVIEWER.id, ["doc-1"])
    assert uow.poai.check_for_update(manual.id) == recorded
    assert uow.audit_log.entries[-1].action == "poai.check_recorded"


def test_automated_checks_are_not_recorded_by_hand(uow: FakePoaiUnitOfWork):
    case = in_review(uow)
    automated = next(c for c in uow.poai.checks(case.id) if c.mode == Mode.AUTOMATED)
    with pytest.raises(Conflict) as refused:
        record(uow, automated.id)
    assert refused.value.code == "automated_check"
    assert uow.poai.check_for_update(automated.id).result == Result.PENDING


def test_evidence_is_a_document_of_the_same_project(uow: FakePoaiUnitOfWork):
    uow.documents.add(Document("doc-x", "p-other", ORG, DocumentKind.OTHER, 1, "u", NOW, NOW))
    uow.commit()
    case = in_review(uow)
    manual = next(c for c in uow.poai.checks(case.id) if c.mode == Mode.MANUAL)
    for evidence in (["doc-x"], ["no-such-document"]):
        with pytest.raises(RuleViolation) as refused:
            record(uow, manual.id, evidence_document_ids=evidence)
        assert refused.value.code == "bad_evidence"


def test_checks_are_recorded_only_by_the_cases_reviewers(uow: FakePoaiUnitOfWork):
    case = in_review(uow)
    manual = next(c for c in uow.poai.checks(case.id) if c.mode == Mode.MANUAL)
    with pytest.raises(PermissionDenied):
        record(uow, manual.id, principal=ISSUER)
    with pytest.raises(NotFound):
        record(uow, manual.id, principal=OTHER_REVIEWER)
    with pytest.raises(NotFound):
        record(uow, "no-such-check")


def test_a_check_of_an_earlier_round_no_longer_changes(uow: FakePoaiUnitOfWork):
    case = in_review(uow)
    first_round = next(c for c in uow.poai.checks(case.id, 1) if c.mode == Mode.MANUAL)
    decide(uow, case, Decision.REQUEST_CHANGES, reason="more data")
    project = uow.projects.get(PID)
    project.status = Status.SUBMITTED
    uow.projects.save(project)
    uow.commit()
    opened(uow)
    with pytest.raises(Conflict) as refused:
        record(uow, first_round.id)
    assert refused.value.code == "case_state"


# --- decisions -----------------------------------------------------------------------------


def test_approval_waits_for_every_required_check(uow: FakePoaiUnitOfWork):
    case = in_review(uow)
    with pytest.raises(Conflict) as refused:
        decide(uow, case, Decision.APPROVE)
    assert refused.value.code == "checks_incomplete"
    assert "land_tenure_reviewed" in refused.value.detail
    assert "stakeholder_consultation" not in refused.value.detail  # optional
    assert uow.poai.get_case(case.id).status == CaseStatus.IN_REVIEW


def test_an_approval_moves_the_project_and_asks_for_the_proof(uow: FakePoaiUnitOfWork):
    case = in_review(uow)
    optional = next(c for c in uow.poai.checks(case.id) if not c.required)
    pass_every_check(uow, case)
    record(uow, optional.id, Result.NA)

    approved = decide(uow, case, Decision.APPROVE)

    assert (approved.status, approved.decided_by) == (CaseStatus.APPROVED, REVIEWER.id)
    assert uow.projects.get(PID).status == Status.APPROVED
    assert "poai.issue_proof" in [j.name for j in uow.outbox.jobs.values()]
    assert statuses(uow, case)[-1] == ("in_review", "approved")


@pytest.mark.parametrize(
    ("decision", "case_status", "project_status"),
    [
        (Decision.REJECT, CaseStatus.REJECTED, Status.REJECTED),
        (Decision.REQUEST_CHANGES, CaseStatus.CHANGES_REQUESTED, Status.CHANGES_REQUESTED),
    ],
)
def test_a_rejection_or_a_request_for_changes_needs_a_reason_and_moves_the_project(
    uow: FakePoaiUnitOfWork, decision: Decision, case_status: CaseStatus, project_status: Status
):
    case = in_review(uow)
    with pytest.raises(RuleViolation):
        decide(uow, case, decision)

    decided = decide(uow, case, decision, reason="baseline overstated")

    assert (decided.status, decided.decision_reason) == (case_status, "baseline overstated")
    assert uow.projects.get(PID).status == project_status
    assert "poai.issue_proof" not in [j.name for j in uow.outbox.jobs.values()]
    history = uow.poai.history(case.id)
    assert (history[-1].to_status, history[-1].reason) == (case_status.value, "baseline overstated")


def test_only_the_cases_reviewers_decide_and_only_once(uow: FakePoaiUnitOfWork):
    case = in_review(uow)
    with pytest.raises(PermissionDenied):
        services.decide(ISSUER, case.id, Decision.REJECT, reason="mine", uow=uow, clock=uow.clock)
    decide(uow, case, Decision.REJECT, reason="not additional")
    with pytest.raises(Conflict) as refused:
        decide(uow, case, Decision.REQUEST_CHANGES, reason="again")
    assert refused.value.code == "case_state"
    assert uow.projects.get(PID).status == Status.REJECTED


def test_the_history_lists_every_step_in_order(uow: FakePoaiUnitOfWork):
    case = in_review(uow)
    decide(uow, case, Decision.REJECT, reason="not additional")
    entries = services.case_history(ISSUER, case.id, uow=uow)
    assert [(e.from_status, e.to_status, e.actor_id) for e in entries] == [
        (None, "open", ADMIN.id),
        ("open", "in_review", ADMIN.id),
        ("in_review", "rejected", REVIEWER.id),
    ]
    with pytest.raises(NotFound):
        services.case_history(STRANGER, case.id, uow=uow)
