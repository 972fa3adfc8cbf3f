"""An approval and its proof are one outcome: what the proof could not certify is refused
at the decision (or at submission), and an approved case always gets its signed bundle."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.documents.model import Document, DocumentKind, DocumentVersion
from app.domain.documents.services import read_document
from app.domain.poai import checks, proofs, services
from app.domain.poai import jobs as poai_jobs
from app.domain.poai.bundle import bundle_hashes
from app.domain.poai.model import DEFAULT_CHECKLIST, Case, CaseStatus, Check, Decision, Mode, Result
from app.domain.poai.verification import TrustedKey, verify_bundle
from app.domain.projects import services as project_services
from app.domain.projects.model import Project, Status
from app.domain.shared.errors import Conflict, PermissionDenied, RuleViolation
from tests.fakes.clock import FakeClock
from tests.fakes.documents import fake_storage
from tests.fakes.poai import FakePoaiUnitOfWork
from tests.fakes.signing import FakeHmacChecker, FakeHmacSigner
from tests.unit import builders
from tests.unit.builders import NOW, ORG, PID

CASE, DOC = "case-1", "doc-1"
SHA = hashlib.sha256(b"design").hexdigest()
REVIEWER = Principal("u-rev", "user", frozenset({Role.POAI_REVIEWER}))
ISSUER = Principal("u-issuer", "user", frozenset({Role.ISSUER}), {ORG: OrgRole.ADMIN})
ADMIN = Principal("u-admin", "user", frozenset({Role.PLATFORM_ADMIN}))
SIGNER = FakeHmacSigner(b"platform secret")


def project(**over: Any) -> Project:
    return builders.project(**{"status": Status.UNDER_REVIEW} | over)


def in_review(uow: FakePoaiUnitOfWork, **project_fields: Any) -> None:
    """A case in review whose every check passed, with one uploaded document as evidence
    (committed state, as a database would hold it)."""
    uow.projects.add(project(**project_fields))
    uow.documents.add(Document(DOC, PID, ORG, DocumentKind.PROJECT_DESIGN, 1, ISSUER.id, NOW, NOW))
    uow.documents.add_version(
        DocumentVersion(DOC, 1, "d.pdf", "application/pdf", 6, SHA, "fake", "k", b"", "m", "u", NOW)
    )
    case = Case(CASE, PID, ORG, NOW, status=CaseStatus.IN_REVIEW, reviewer_ids=[REVIEWER.id])
    uow.poai.add_case(case)
    checks = [
        Check(f"chk-{name}", CASE, 1, category, name, mode, required)
        for name, category, mode, required in DEFAULT_CHECKLIST
    ]
    for check in checks:
        documents = [DOC] if check.mode == Mode.MANUAL else None
        check.record(Result.PASS, notes="", evidence=None, by=None, at=NOW, documents=documents)
    uow.poai.add_checks(checks)
    uow.commit()


@pytest.fixture
def uow() -> FakePoaiUnitOfWork:
    unit = FakePoaiUnitOfWork(FakeClock(NOW))
    in_review(unit)
    return unit


def approve(uow: FakePoaiUnitOfWork, reason: str | None = None) -> Case:
    return services.decide(
        REVIEWER, CASE, Decision.APPROVE, reason=reason, uow=uow, clock=uow.clock
    )


def jobs(uow: FakePoaiUnitOfWork) -> list[str]:
    return [j.name for j in uow.outbox.jobs.values()]


def issue(uow: FakePoaiUnitOfWork, storage: Any = None) -> str | None:
    with uow:
        bundle_hash = poai_jobs.issue_proof(
            CASE, uow=uow, storage=storage or fake_storage(), signer=SIGNER, clock=uow.clock
        )
        uow.commit()
    return bundle_hash


def assert_still_in_review(uow: FakePoaiUnitOfWork) -> None:
    assert uow.poai.get_case(CASE).status == CaseStatus.IN_REVIEW
    assert uow.projects.get(PID).status == Status.UNDER_REVIEW
    assert "poai.issue_proof" not in jobs(uow)


# --- refused at the decision ---------------------------------------------------------------


@pytest.mark.parametrize("methodology", ["", "   "])
def test_approving_a_project_without_methodology_is_refused(methodology: str):
    uow = FakePoaiUnitOfWork(FakeClock(NOW))
    in_review(uow, methodology=methodology)
    with pytest.raises(RuleViolation) as refused:
        approve(uow)
    assert refused.value.code == "project_incomplete"
    assert "methodology" in refused.value.detail
    assert list(refused.value.errors) == ["methodology"]
    assert_still_in_review(uow)


def test_such_a_project_can_still_be_sent_back_for_changes():
    uow = FakePoaiUnitOfWork(FakeClock(NOW))
    in_review(uow, methodology="")
    case = services.decide(
        REVIEWER,
        CASE,
        Decision.REQUEST_CHANGES,
        reason="name the methodology",
        uow=uow,
        clock=uow.clock,
    )
    assert case.status == CaseStatus.CHANGES_REQUESTED
    assert uow.projects.get(PID).status == Status.CHANGES_REQUESTED


def _legacy_check(uow: FakePoaiUnitOfWork, **fields: Any) -> None:
    """A check written before today's rules (straight into the repository)."""
    check = Check("chk-legacy", CASE, 1, **fields)
    uow.poai.add_checks([check])
    uow.commit()


def test_approval_is_refused_when_two_checks_share_a_name(uow: FakePoaiUnitOfWork):
    existing = next(c for c in uow.poai.checks(CASE, 1) if c.category.value == "asset")
    _legacy_check(
        uow, category=existing.category, name=existing.name, mode=existing.mode, required=False
    )
    with pytest.raises(RuleViolation) as refused:
        approve(uow)
    assert refused.value.code == "proof_inputs_invalid"
    assert "same name" in refused.value.detail
    assert_still_in_review(uow)


def test_approval_is_refused_when_evidence_is_not_an_uploaded_document(uow: FakePoaiUnitOfWork):
    check = uow.poai.checks(CASE, 1)[0]
    check.evidence_document_ids = ["doc-gone"]
    uow.poai.save_check(check)
    uow.commit()
    with pytest.raises(RuleViolation) as refused:
        approve(uow)
    assert refused.value.code == "proof_inputs_invalid"
    assert "doc-gone" in refused.value.detail
    assert any(key.endswith(".evidence") for key in refused.value.errors)
    assert_still_in_review(uow)


def test_approval_is_refused_for_text_without_a_utf8_form():
    uow = FakePoaiUnitOfWork(FakeClock(NOW))
    in_review(uow, region="Bahia \ud800")
    with pytest.raises(RuleViolation) as refused:
        approve(uow)
    assert refused.value.code == "proof_inputs_invalid"
    assert refused.value.errors == {"project.region": ["must be valid Unicode text"]}
    assert_still_in_review(uow)


# --- an approval always gets its proof -----------------------------------------------------


def test_an_approved_case_gets_a_signed_stored_proof(uow: FakePoaiUnitOfWork):
    assert approve(uow).status == CaseStatus.APPROVED
    assert "poai.issue_proof" in jobs(uow)
    storage = fake_storage()
    bundle_hash = issue(uow, storage)
    assert bundle_hash is not None
    proof = uow.poai.proof(CASE)
    assert proof is not None
    assert proof.bundle_hash == bundle_hash
    signed = json.loads(read_document(proof.document_id, uow=uow, storage=storage))
    assert bundle_hashes(signed["bundle"])["bundle"] == bundle_hash
    checked = verify_bundle(
        signed["bundle"],
        signature=signed["signature"],
        public_key=signed["public_key"],
        key_id=signed["key_id"],
        hashes=signed["hashes"],
        trusted=[TrustedKey(SIGNER.key_id, SIGNER.public_key())],
        checker=FakeHmacChecker(),
    )
    assert checked.valid
    assert checked.signature_valid
    assert signed["bundle"]["documents"] == [
        {"id": DOC, "kind": "project_design", "version": 1, "sha256": SHA}
    ]
    assert "poai.anchor" in jobs(uow)
    assert issue(uow) == bundle_hash  # a second run of the job changes nothing


def test_blank_optional_fields_and_reason_are_written_as_null():
    uow = FakePoaiUnitOfWork(FakeClock(NOW))
    in_review(uow, standard="", region=" ")
    assert approve(uow, reason="  ").decision_reason is None
    storage = fake_storage()
    issue(uow, storage)
    proof = uow.poai.proof(CASE)
    bundle = json.loads(read_document(proof.document_id, uow=uow, storage=storage))
    assert (bundle["bundle"]["project"]["standard"], bundle["bundle"]["project"]["region"]) == (
        None,
        None,
    )
    assert bundle["bundle"]["decision"]["reason"] is None


def test_a_blank_reason_is_no_reason_for_a_rejection(uow: FakePoaiUnitOfWork):
    with pytest.raises(RuleViolation) as refused:
        services.decide(REVIEWER, CASE, Decision.REJECT, reason=" ", uow=uow, clock=uow.clock)
    assert refused.value.code == "reason_required"


# --- the hash that goes on chain -----------------------------------------------------------


def test_signed_bundle_hash_waits_for_the_stored_proof(uow: FakePoaiUnitOfWork):
    assert proofs.signed_bundle_hash(PID, uow=uow) is None
    approve(uow)
    assert proofs.signed_bundle_hash(PID, uow=uow) is None  # approved, proof not issued yet
    bundle_hash = issue(uow)
    assert bundle_hash is not None
    assert proofs.signed_bundle_hash(PID, uow=uow) == bytes.fromhex(bundle_hash)
    assert proofs.signed_bundle_hash("another-project", uow=uow) is None


def test_signed_bundle_hash_is_none_when_the_bundle_document_is_missing(uow: FakePoaiUnitOfWork):
    approve(uow)
    issue(uow)
    proof = uow.poai.proof(CASE)
    del uow.documents.items[proof.document_id]
    assert proofs.signed_bundle_hash(PID, uow=uow) is None


# --- refused earlier -----------------------------------------------------------------------


def test_submitting_a_project_without_methodology_is_refused():
    uow = FakePoaiUnitOfWork(FakeClock(NOW))
    uow.projects.add(project(methodology="", status=Status.DRAFT))
    uow.projects.documents[(PID, "project_design")] = 1
    with pytest.raises(RuleViolation) as refused:
        project_services.transition_project(
            ISSUER, PID, Status.SUBMITTED, reason=None, uow=uow, clock=uow.clock
        )
    assert refused.value.code == "project_incomplete"
    assert list(refused.value.errors) == ["methodology"]
    assert uow.projects.get(PID).status == Status.DRAFT


def test_a_project_is_approved_only_through_its_case(uow: FakePoaiUnitOfWork):
    with pytest.raises(PermissionDenied):
        project_services.transition_project(
            ADMIN, PID, Status.APPROVED, reason=None, uow=uow, clock=uow.clock
        )
    assert uow.projects.get(PID).status == Status.UNDER_REVIEW


def test_a_second_check_of_the_same_name_is_refused(uow: FakePoaiUnitOfWork):
    name = uow.poai.checks(CASE, 1)[0].name
    category = uow.poai.checks(CASE, 1)[0].category
    with pytest.raises(Conflict) as refused:
        checks.add_check(
            REVIEWER, CASE, category=category, name=name, required=True, uow=uow, clock=uow.clock
        )
    assert refused.value.code == "duplicate_check"


def test_a_proof_bundle_is_no_evidence(uow: FakePoaiUnitOfWork):
    uow.documents.add(
        Document("doc-bundle", PID, ORG, DocumentKind.POAI_BUNDLE, 1, "platform", NOW, NOW)
    )
    uow.commit()
    manual = next(c for c in uow.poai.checks(CASE, 1) if c.mode == Mode.MANUAL)
    with pytest.raises(RuleViolation) as refused:
        checks.record_manual_check(
            REVIEWER,
            manual.id,
            result=Result.PASS,
            notes="",
            evidence_document_ids=["doc-bundle"],
            uow=uow,
            clock=uow.clock,
        )
    assert refused.value.code == "bad_evidence"
