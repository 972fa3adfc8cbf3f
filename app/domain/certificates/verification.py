"""What a check of a certificate found: one verdict per proof, for the API, the
verification page and the command line alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from app.domain.shared.json import JSON


class Proof(StrEnum):
    """The checks a certificate answers to, in the order they are shown."""

    SIGNATURE = "signature"  # the platform's Ed25519 signature over the canonical JSON
    CHAIN = "chain"  # the CreditsRetired log at its transaction, block and log index
    POAI = "poai"  # the PoAI bundle: its hash and signature
    SERIALS = "serials"  # the kilogram range, used by this retirement alone


@dataclass(frozen=True)
class ProofCheck:
    valid: bool
    detail: str  # one sentence a person can read: what was compared, what was found

    def to_json(self) -> dict[str, JSON]:
        return {"valid": self.valid, "detail": self.detail}


@dataclass(frozen=True)
class CertificateVerification:
    """A certificate document (the signed JSON, as published) and the verdict on each
    proof; `valid` only when every proof holds."""

    document: Mapping[str, JSON]
    checks: Mapping[Proof, ProofCheck] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(check.valid for check in self.checks.values())

    def to_json(self) -> dict[str, JSON]:
        return {
            "certificate": dict(self.document),
            "checks": {str(proof): check.to_json() for proof, check in self.checks.items()},
            "valid": self.valid,
        }
