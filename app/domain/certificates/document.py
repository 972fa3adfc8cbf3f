"""The certificate document (`certificate/1`): built from the records it cites, signed
once with the platform's Ed25519 key over its RFC 8785 canonical bytes (everything but
`signature` and `disclosure`). Pure: the issuing job gathers the records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from app.domain.certificates.model import (
    DOCUMENT_VERSION,
    SIGNATURE_FIELDS,
    CustomField,
    serial_number,
)
from app.domain.credits.model import CreditBatch, Retirement
from app.domain.poai.bundle import SIGNATURE_ALGORITHM
from app.domain.projects.model import Project
from app.domain.shared.clock import isoformat
from app.domain.shared.json import JSON, canonical
from app.domain.shared.quantity import Quantity
from app.ports.repositories.certificates import Delivery, IndexedEvent
from app.ports.repositories.poai import StoredProof
from app.ports.signing import BundleSigner


@dataclass(frozen=True)
class Sources:
    """What a certificate cites, read by the issuing job in one transaction."""

    retirement: Retirement
    project: Project
    batch: CreditBatch
    proof: StoredProof
    approved_at: datetime | None
    event: IndexedEvent
    deliveries: list[Delivery]
    custom_fields: list[CustomField]


def signed_bytes(document: Mapping[str, JSON]) -> bytes:
    """The bytes the signature covers: the canonical JSON of the document without its
    signature and disclosure."""
    return canonical({k: v for k, v in document.items() if k not in SIGNATURE_FIELDS})


def _at(instant: datetime | None) -> str | None:
    return isoformat(instant) if instant else None


def provenance(sources: Sources) -> list[JSON]:
    """The credits' path, oldest first: PoAI approval, issuance, deliveries, retirement."""
    r, batch = sources.retirement, sources.batch
    steps: list[JSON] = [
        {
            "step": "poai_approval",
            "at": _at(sources.approved_at),
            "case_id": sources.proof.case_id,
            "proof_hash": sources.proof.bundle_hash,
        },
        {
            "step": "issuance",
            "at": _at(batch.created_at),
            "batch_id": batch.id,
            "token_id": batch.token_id,
            "tx_hash": batch.mint_tx,
            "kg_start": batch.first_kg,
            "kg_end": batch.last_kg,
        },
    ]
    steps += [
        {
            "step": "transfer",
            "at": _at(d.at),
            "order_id": d.order_id,
            "tx_hash": d.tx_hash,
            "from": d.from_address,
            "to": d.to_address,
            "quantity_kg": d.quantity_kg,
        }
        for d in sources.deliveries
    ]
    steps.append(
        {
            "step": "retirement",
            "at": _at(r.confirmed_at),
            "tx_hash": r.tx_hash,
            "block_number": sources.event.block_number,
            "log_index": sources.event.log_index,
        }
    )
    return steps


def build_document(
    certificate_id: str,
    sources: Sources,
    *,
    issued_at: datetime,
    verify_url: str,
    signer: BundleSigner,
) -> dict[str, JSON]:
    """The signed document of a confirmed retirement."""
    r, p, proof, event = sources.retirement, sources.project, sources.proof, sources.event
    document: dict[str, JSON] = {
        "version": DOCUMENT_VERSION,
        "id": certificate_id,
        "retirement_id": r.id,
        "serial_number": serial_number(
            p.id, p.country, r.vintage, token_id=r.token_id, kg_start=r.kg_start, kg_end=r.kg_end
        ),
        "project": {
            "id": p.id,
            "name": p.name,
            "type": str(p.type),
            "country": p.country,
            "methodology": p.methodology,
            "standard": p.standard,
        },
        "vintage": r.vintage,
        "token_id": r.token_id,
        "quantity": Quantity(r.quantity_kg).tonnes_str(),
        "quantity_kg": r.quantity_kg,
        "kg_start": r.kg_start,
        "kg_end": r.kg_end,
        "serial_start": r.serial_start,
        "serial_end": r.serial_end,
        "holder": r.holder_address,
        "beneficiary": r.public_beneficiary,
        "beneficiary_visibility": r.beneficiary_visibility,
        "purpose": r.purpose,
        "retired_at": _at(r.confirmed_at),
        "chain_id": event.chain_id,
        "contract": event.contract,
        "tx_hash": r.tx_hash,
        "block_number": event.block_number,
        "log_index": event.log_index,
        "poai_bundle_hash": proof.bundle_hash,
        "poai": {
            "case_id": proof.case_id,
            "bundle_hash": proof.bundle_hash,
            "signature": proof.signature,
            "public_key": proof.public_key,
            "key_id": proof.key_id,
        },
        "provenance": provenance(sources),
        "custom_fields": [f.to_json() for f in sources.custom_fields],
        "issued_at": isoformat(issued_at),
        "verify_url": verify_url,
        "algorithm": SIGNATURE_ALGORITHM,
        "key_id": signer.key_id,
        "public_key": signer.public_key(),
    }
    document["signature"] = signer.sign(signed_bytes(document))
    return document
