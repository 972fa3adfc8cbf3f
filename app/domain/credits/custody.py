"""Custodial addresses: the platform keeps a key for each user and organization that
holds credits without a wallet of its own; the key is encrypted at rest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.domain.shared.audit import AuditRecord
from app.ports.chain import CustodialWallets
from app.ports.repositories.credits import CreditsUoW
from app.ports.storage import EnvelopeCipher


class Custody(Protocol):
    """Where an owner's credits are held: its custodial address, created inside the
    caller's unit of work when absent (how the ledger's use cases find a holder)."""

    def __call__(self, owner_kind: str, owner_id: str, uow: CreditsUoW, /) -> str: ...


@dataclass(frozen=True)
class CustodialAccounts:
    """`Custody` over a key generator and the cipher that keeps the keys at rest."""

    wallets: CustodialWallets
    cipher: EnvelopeCipher

    def __call__(self, owner_kind: str, owner_id: str, uow: CreditsUoW, /) -> str:
        return custodial_address(
            owner_kind, owner_id, uow=uow, wallets=self.wallets, cipher=self.cipher
        )


def custodial_address(
    owner_kind: str,
    owner_id: str,
    *,
    uow: CreditsUoW,
    wallets: CustodialWallets,
    cipher: EnvelopeCipher,
) -> str:
    """The owner's custodial address, created (inside the caller's transaction) if absent."""
    existing = uow.credits.custodial_address(owner_kind, owner_id)
    if existing is not None:
        return existing
    address, private_key = wallets.new_account()
    sealed = cipher.seal(private_key, f"custody:{owner_kind}:{owner_id}:{address}".encode())
    stored = sealed.wrapped_key + b"|" + sealed.ciphertext  # unwrapped only to sign
    uow.credits.add_custodial(owner_kind, owner_id, address, stored, sealed.key_id)
    uow.audit(
        AuditRecord(
            "credits.custodial_account_created",
            owner_kind,
            owner_id,
            None,
            after={"address": address},
            organization_id=owner_id if owner_kind == "organization" else None,
        )
    )
    return address
