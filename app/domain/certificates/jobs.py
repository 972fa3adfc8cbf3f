"""Issuing certificates: the `certificates.issue` job when the indexer confirms a
retirement, and the sweep that issues every confirmed retirement past the confirmation
depth still without one (a job that ran while the block was too shallow, or that was
lost, is caught up). Both idempotent: a retirement has one certificate (the repository
refuses a second), and a rerun finds it and does nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.domain.certificates.document import Sources, build_document
from app.domain.certificates.errors import NoProof, NotYetCertifiable
from app.domain.certificates.events import CertificateReady
from app.domain.certificates.model import Certificate, CertificateTemplate, CustomField
from app.domain.credits.model import Retirement, RetirementStatus
from app.domain.documents.services import Storage, read_document
from app.domain.shared.audit import AuditRecord
from app.domain.shared.chain import depth_status
from app.domain.shared.errors import DomainError, NotFound
from app.domain.shared.ids import new_id
from app.domain.shared.json import JSON
from app.ports.clock import Clock
from app.ports.repositories.certificates import CertificatesUoW
from app.ports.signing import BundleSigner


@dataclass(frozen=True)
class Issuer:
    """What issuing needs besides the unit of work: the platform key, the documents'
    storage (the template's logo), the clock and the public base URL of `verify_url`."""

    signer: BundleSigner
    storage: Storage
    clock: Clock
    public_base_url: str

    def verify_url(self, certificate_id: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/verify/{certificate_id}"


def issue_certificate(
    retirement_id: str, *, uow: CertificatesUoW, issuer: Issuer
) -> Certificate | None:
    """The retirement's certificate, issued now if it is confirmed past the depth and has
    none; None while it is not (yet) certifiable. A rerun returns the one issued."""
    with uow:
        retirement = uow.credits.retirement_for_update(retirement_id)  # one issuer at a time
        if retirement is None:
            raise NotFound("retirement not found")
        existing = uow.certificates.of_retirement(retirement_id)
        if existing is not None:
            return existing
        if not _certifiable(retirement, uow.certificates.safe_block()):
            return None
        certificate = _issue(retirement, uow=uow, issuer=issuer)
        uow.commit()
        return certificate


def issue_due(
    *, uow: CertificatesUoW, issuer: Issuer, limit: int = 100, on_error: Callable[..., None]
) -> int:
    """Issue the certificates of confirmed retirements past the depth that have none, up
    to `limit`, each in its own transaction; how many were issued. A retirement that
    cannot be issued (`on_error(retirement_id, error)`) does not hold back the others."""
    with uow:
        safe = uow.certificates.safe_block()
        due = [] if safe is None else uow.certificates.uncertified(safe, limit)
    issued = 0
    for retirement_id in due:
        try:
            issued += issue_certificate(retirement_id, uow=uow, issuer=issuer) is not None
        except DomainError as error:
            on_error(retirement_id, error)
    return issued


def _certifiable(retirement: Retirement, safe: int | None) -> bool:
    return (
        retirement.status == RetirementStatus.CONFIRMED
        and retirement.tx_hash is not None
        and depth_status(retirement.confirmed_block, safe) == "confirmed"
    )


def _issue(retirement: Retirement, *, uow: CertificatesUoW, issuer: Issuer) -> Certificate:
    sources = _sources(retirement, uow)
    template = uow.certificates.template() or CertificateTemplate()
    now = issuer.clock.now()
    certificate_id = new_id()
    document = build_document(
        certificate_id,
        sources,
        issued_at=now,
        verify_url=issuer.verify_url(certificate_id),
        signer=issuer.signer,
    )
    logo = (
        read_document(template.logo_document_id, uow=uow, storage=issuer.storage)
        if template.logo_document_id
        else None
    )
    certificate = Certificate(
        certificate_id,
        retirement.id,
        retirement.owner_kind,
        retirement.owner_id,
        document,
        _layout(template, sources.custom_fields),
        now,
        logo,
    )
    uow.certificates.add(certificate)
    retirement.certificate_id = certificate_id
    uow.credits.save_retirement(retirement)
    organization = retirement.owner_id if retirement.owner_kind == "organization" else None
    uow.audit(
        AuditRecord(
            "certificates.issued",
            "certificate",
            certificate_id,
            None,
            after={
                "retirement_id": retirement.id,
                "serial_number": document["serial_number"],
                "key_id": issuer.signer.key_id,
            },
            organization_id=organization,
        )
    )
    uow.publish(
        CertificateReady(
            certificate_id=certificate_id,
            retirement_id=retirement.id,
            owner_kind=str(retirement.owner_kind),
            owner_id=retirement.owner_id,
            organization_id=organization,
            verify_url=issuer.verify_url(certificate_id),
        )
    )
    return certificate


def _sources(retirement: Retirement, uow: CertificatesUoW) -> Sources:
    project = uow.projects.get(retirement.project_id)
    batch = uow.credits.get_batch(retirement.batch_id)
    if project is None or batch is None:
        raise NotFound("the retirement's project or batch is gone")
    proof = uow.poai.proof_for_project(project.id)
    if proof is None:
        raise NoProof("the project has no signed PoAI proof")
    assert retirement.tx_hash is not None
    event = uow.certificates.retirement_event(
        retirement.tx_hash, retirement.token_id, retirement.kg_start
    )
    if event is None:
        raise NotYetCertifiable("the retirement's event is not indexed")
    case = uow.poai.get_case(proof.case_id)
    fields = (
        uow.certificates.organization_fields(retirement.owner_id)
        if retirement.owner_kind == "organization"
        else None
    )
    return Sources(
        retirement,
        project,
        batch,
        proof,
        case.decided_at if case else None,
        event,
        uow.certificates.deliveries(retirement.token_id, retirement.holder_address),
        fields.fields if fields else [],
    )


def _layout(template: CertificateTemplate, fields: list[CustomField]) -> dict[str, JSON]:
    return {
        "title": template.title,
        "primary_color": template.primary_color,
        "accent_color": template.accent_color,
        "footer_text": template.footer_text,
        "logo_document_id": template.logo_document_id,
        "custom_fields": [f.to_json() for f in fields],
    }
