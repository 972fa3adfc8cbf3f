"""Reading a case's stored proof: the signed bundle for whoever may see the case, and the
bundle hash that registration and minting wait for. Issuing it is a job (`jobs`); its
format, hashes and signature are in `bundle`."""

from __future__ import annotations

import json
from typing import Any

from app.domain.auth.principal import Principal
from app.domain.documents.services import Storage, read_document
from app.domain.poai.services import can_see_case
from app.domain.shared.errors import Conflict, NotFound
from app.ports.repositories.poai import PoaiUoW, ProofsUoW


def get_proof(
    principal: Principal, case_id: str, *, uow: PoaiUoW, storage: Storage
) -> dict[str, Any]:
    """The signed bundle as stored (decrypted), for whoever may see the case."""
    with uow:
        case = uow.poai.get_case(case_id)
        if case is None or not can_see_case(principal, case):
            raise NotFound("case not found")
        proof = uow.poai.proof(case.id)
        if proof is None:
            raise Conflict("the case has no proof yet (it is issued on approval)", code="no_proof")
        signed: dict[str, Any] = json.loads(
            read_document(proof.document_id, uow=uow, storage=storage)
        )
        return signed


def signed_bundle_hash(project_id: str, *, uow: ProofsUoW) -> bytes | None:
    """The bundle hash (32 bytes, as it goes on chain) of the project's stored and signed
    proof; None while there is none. Registering the project on chain and minting its
    credits wait for it: nothing is anchored without a proof anyone can fetch and check.
    Runs inside the caller's unit of work."""
    proof = uow.poai.proof_for_project(project_id)
    if proof is None or not (proof.signature and proof.public_key):
        return None
    if uow.documents.get(proof.document_id) is None:
        return None
    return bytes.fromhex(proof.bundle_hash)
