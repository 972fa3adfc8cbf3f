"""Verifying certificates: a stored one (`verify_certificate`, what the public endpoint
and the verification page show) or a document someone holds (`verify_document`, also
what `flask certificates verify` runs). With the platform's records (`uow`) the PoAI and
serial proofs are checked against them too; with a node the chain proof is read live.
Offline (neither), the signature, the PoAI signature and the serial arithmetic are."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from app.domain.certificates.checks import (
    Document,
    Keys,
    Node,
    chain_check,
    poai_signature_check,
    serial_arithmetic_check,
    signature_check,
)
from app.domain.certificates.errors import CertificateNotFound
from app.domain.certificates.verification import CertificateVerification, Proof, ProofCheck
from app.domain.credits.model import RetirementStatus
from app.domain.documents.services import Storage, read_document
from app.domain.poai.verification import verify_bundle
from app.domain.shared.errors import DomainError
from app.domain.shared.json import JSON
from app.ports.repositories.certificates import CertificatesUoW
from app.ports.repositories.poai import StoredProof


@dataclass(frozen=True)
class Verifier:
    """Everything a check needs: trusted keys, optionally a node (the chain proof) and the
    documents' storage (to re-verify the stored PoAI bundle)."""

    keys: Keys
    node: Node | None = None
    storage: Storage | None = None


def verify_certificate(
    certificate_id: str, *, uow: CertificatesUoW, verifier: Verifier
) -> CertificateVerification:
    """The stored certificate (its public document: no pseudonymous name in it) checked
    now against the platform's records and, given a node, the chain."""
    with uow:
        certificate = uow.certificates.get(certificate_id)
        if certificate is None:
            raise CertificateNotFound("certificate not found")
        return verify_document(certificate.document, verifier=verifier, uow=uow)


def verify_document(
    document: Mapping[str, JSON],
    *,
    verifier: Verifier,
    uow: CertificatesUoW | None = None,
) -> CertificateVerification:
    """Check a certificate document as given: any changed byte breaks the signature; a
    changed amount or range also breaks the serial and chain proofs."""
    public = {k: v for k, v in document.items() if k != "disclosure"}
    checks: dict[Proof, ProofCheck] = {Proof.SIGNATURE: signature_check(public, verifier.keys)}
    if verifier.node is not None:
        checks[Proof.CHAIN] = _chain(public, verifier.node)
    checks[Proof.POAI] = poai_signature_check(public, verifier.keys)
    checks[Proof.SERIALS] = serial_arithmetic_check(public)
    if uow is not None:
        with uow:
            if checks[Proof.POAI].valid:
                checks[Proof.POAI] = _poai_records(public, uow, verifier)
            if checks[Proof.SERIALS].valid:
                checks[Proof.SERIALS] = _serial_records(public, uow)
    return CertificateVerification(public, checks)


def _chain(document: Document, node: Node) -> ProofCheck:
    try:
        return chain_check(document, node)
    except Exception as exc:  # whatever the node's adapter raises: the proof is unchecked
        return ProofCheck(False, f"the chain could not be read: {type(exc).__name__}: {exc}")


def _poai_records(document: Document, uow: CertificatesUoW, verifier: Verifier) -> ProofCheck:
    poai = document["poai"]
    assert isinstance(poai, dict)
    case_id, bundle_hash = str(poai.get("case_id")), str(document["poai_bundle_hash"])
    proof = uow.poai.proof(case_id)
    if proof is None:
        return ProofCheck(False, f"the platform holds no proof of PoAI case {case_id}")
    if proof.bundle_hash != bundle_hash:
        return ProofCheck(False, f"case {case_id}'s proof has another bundle hash")
    if verifier.storage is None:
        return ProofCheck(True, f"case {case_id}'s signed proof has bundle hash {bundle_hash}")
    return _stored_bundle(proof, uow, verifier.keys, verifier.storage)


def _stored_bundle(
    proof: StoredProof, uow: CertificatesUoW, keys: Keys, storage: Storage
) -> ProofCheck:
    """The stored bundle of the case verifies (`verify_bundle`) and hashes to the hash cited."""
    case_id, bundle_hash = proof.case_id, proof.bundle_hash
    try:
        signed = json.loads(read_document(proof.document_id, uow=uow, storage=storage))
    except (DomainError, ValueError) as exc:
        return ProofCheck(False, f"case {case_id}'s proof bundle cannot be read: {exc}")
    claims = ("signature", "public_key", "key_id", "algorithm", "hashes")
    result = verify_bundle(
        signed.get("bundle"),
        **{name: signed.get(name) for name in claims},
        trusted=keys.trusted,
        checker=keys.checker,
    )
    if not result.valid:
        return ProofCheck(False, "the stored PoAI bundle: " + "; ".join(result.problems))
    if result.hashes.get("bundle") != bundle_hash:
        return ProofCheck(False, "the stored PoAI bundle hashes to another bundle hash")
    return ProofCheck(
        True,
        f"case {case_id}'s bundle recomputes to {bundle_hash[:16]}… and its signature "
        f"verifies under platform key {result.key_id!r}",
    )


def _serial_records(document: Document, uow: CertificatesUoW) -> ProofCheck:
    retirement_id = str(document.get("retirement_id"))
    token_id, kg_start, kg_end = (int(str(document[k])) for k in ("token_id", "kg_start", "kg_end"))
    retirement = uow.credits.get_retirement(retirement_id)
    if retirement is None or retirement.status != RetirementStatus.CONFIRMED:
        return ProofCheck(False, f"no confirmed retirement {retirement_id} on the platform")
    if (retirement.token_id, retirement.kg_start, retirement.kg_end) != (
        token_id,
        kg_start,
        kg_end,
    ):
        return ProofCheck(
            False,
            f"retirement {retirement_id} retired kilograms {retirement.kg_start}-"
            f"{retirement.kg_end} of token {retirement.token_id}, not these",
        )
    batch = uow.credits.get_batch(retirement.batch_id)
    if batch is None or not batch.first_kg <= kg_start <= kg_end <= batch.last_kg:
        return ProofCheck(False, "the kilograms are not inside their batch's minted range")
    others = [
        r for r in uow.certificates.overlapping(token_id, kg_start, kg_end) if r != retirement_id
    ]
    if others:
        return ProofCheck(False, f"kilograms {kg_start}-{kg_end} are also retired by {others[0]}")
    return ProofCheck(
        True,
        f"kilograms {kg_start}-{kg_end} lie in batch {batch.id} (kilograms "
        f"{batch.first_kg}-{batch.last_kg}) and no other retirement uses them",
    )
