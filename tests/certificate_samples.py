"""Certificate documents for the tests of what draws and shows certificates (the PDF,
the verification page): the specimen in a public variant (the beneficiary's name) and a
pseudonymous one (`sha256:`), and verifications of them built by hand."""

from __future__ import annotations

from typing import Any

from app.adapters.pdf.specimen import (
    BASE_URL,
    BUNDLE_HASH,
    CERTIFICATE_ID,
    SALT,
    TX_HASH,
    pseudonym,
)
from app.adapters.pdf.specimen import specimen_document as sample_document
from app.domain.certificates.verification import CertificateVerification, Proof, ProofCheck

__all__ = [
    "BASE_URL",
    "BUNDLE_HASH",
    "CERTIFICATE_ID",
    "SALT",
    "TX_HASH",
    "pseudonym",
    "sample_document",
]


def pseudonymous_document(**changes: Any) -> dict[str, Any]:
    return sample_document(visibility="pseudonymous", **changes)


VALID_DETAILS = {
    Proof.SIGNATURE: "The Ed25519 signature by key certificates-2024 matches the document.",
    Proof.CHAIN: "CreditsRetired of 2500 kg found at the transaction, block 18204771, log 3.",
    Proof.POAI: "The PoAI bundle hash and its signature by key poai-2024 hold.",
    Proof.SERIALS: "Kilograms 1001 to 3500 were retired by this retirement alone.",
}


def verification(
    document: dict[str, Any] | None = None, *, broken: tuple[Proof, ...] = ()
) -> CertificateVerification:
    """A verification of `document` (the public sample by default) where every proof
    holds but those in `broken`."""
    checks = {
        proof: (
            ProofCheck(False, f"The {proof} check failed: the document was altered.")
            if proof in broken
            else ProofCheck(True, detail)
        )
        for proof, detail in VALID_DETAILS.items()
    }
    return CertificateVerification(document or sample_document(), checks)
