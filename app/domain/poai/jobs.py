"""Background jobs of PoAI review. Issuing the proof bundle of an approved case:
canonical JSON of the project, checks, evidence hashes, reviewers and decision; section
and bundle hashes; an Ed25519 signature by the platform key; stored encrypted as a
project document; then anchored on chain (the `poai.anchor` job)."""

from __future__ import annotations

import json

from app.domain.documents.model import DocumentKind
from app.domain.documents.services import Storage, store_platform_document
from app.domain.poai.bundle import sign_bundle
from app.domain.poai.case_bundle import case_bundle
from app.domain.poai.model import CaseStatus
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import NotFound
from app.domain.shared.jobs import Job
from app.ports.clock import Clock
from app.ports.repositories.poai import PoaiUoW, StoredProof
from app.ports.signing import BundleSigner


def issue_proof(
    case_id: str, *, uow: PoaiUoW, storage: Storage, signer: BundleSigner, clock: Clock
) -> str | None:
    """Build, sign and store the bundle of an approved case (inside the job's unit);
    returns the bundle hash. A second run finds the proof and does nothing."""
    case = uow.poai.case_for_update(case_id)
    if case is None or case.status != CaseStatus.APPROVED:
        return None
    if uow.poai.proof(case.id) is not None:
        return case.bundle_hash
    project = uow.projects.get(case.project_id)
    if project is None:
        raise NotFound("project not found")
    bundle = case_bundle(case, uow=uow, issued_at=clock.now())
    signed = sign_bundle(bundle, signer)
    data = json.dumps(signed, sort_keys=True, separators=(",", ":")).encode()
    stored = store_platform_document(
        project,
        kind=DocumentKind.POAI_BUNDLE,
        filename=f"poai-{case.id}-r{case.round}.json",
        data=data,
        content_type="application/json",
        uow=uow,
        storage=storage,
        clock=clock,
    )
    bundle_hash = str(signed["hashes"]["bundle"])
    uow.poai.save_proof(
        StoredProof(
            case.id,
            bundle_hash,
            stored.document.id,
            str(signed["signature"]),
            str(signed["public_key"]),
            str(signed["key_id"]),
        )
    )
    case.bundle_hash = bundle_hash
    uow.poai.save_case(case)
    uow.audit(
        AuditRecord(
            "poai.proof_issued",
            "poai_case",
            case.id,
            None,
            after={"bundle_hash": bundle_hash, "key_id": signed["key_id"]},
            organization_id=case.organization_id,
        )
    )
    uow.enqueue(Job("poai.anchor", {"case_id": case.id}))
    return bundle_hash
