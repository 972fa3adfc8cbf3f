"""A chain write as the platform keeps it: the intent it serves, the signed bytes, the
nonce, and what the chain did with it.

One row per intent (`credits.retire:<id>`, `credits.mint:<id>`, ...). The row is committed
before the bytes leave the process, so a rerun after a crash, a receipt timeout or a second
delivery finds it and re-broadcasts the same bytes; nothing ever signs a second transaction
for an intent while the first can still be mined. A transaction that is not mined is
replaced (same nonce, higher fee) a bounded number of times; every hash it ever had is
kept, and a receipt of any of them settles the intent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class TxStatus(StrEnum):
    SIGNED = "signed"  # stored, maybe not broadcast yet
    SENT = "sent"  # the node accepted it at least once
    MINED = "mined"  # a receipt with status 1
    REVERTED = "reverted"  # mined with status 0: the intent did not happen
    DROPPED = "dropped"  # its nonce was used by a transaction that is not ours

    @property
    def settled(self) -> bool:
        return self in {TxStatus.MINED, TxStatus.REVERTED, TxStatus.DROPPED}


@dataclass(frozen=True)
class ContractCall:
    """What to send: an encoded call to a contract (or a deployment when `to` is None)."""

    action: str  # "CarbonRegistry.retire": for logs, errors and operators
    to: str | None
    data: bytes


@dataclass(frozen=True)
class Fees:
    max_fee_per_gas: int
    max_priority_fee_per_gas: int

    def bumped(self, percent: int) -> Fees:
        """Fees a node accepts as a replacement (nodes ask for at least +10% on both)."""
        return Fees(
            self.max_fee_per_gas * (100 + percent) // 100 + 1,
            self.max_priority_fee_per_gas * (100 + percent) // 100 + 1,
        )


@dataclass(frozen=True)
class SignedTransaction:
    raw: bytes
    tx_hash: str  # 0x-prefixed lowercase hex


@dataclass
class ChainTransaction:
    intent: str
    chain_id: int
    sender: str
    nonce: int
    action: str
    to: str | None
    data: bytes
    gas: int
    fees: Fees
    raw: bytes
    tx_hash: str
    created_at: datetime
    updated_at: datetime
    status: TxStatus = TxStatus.SIGNED
    earlier_hashes: list[str] = field(default_factory=list)  # replaced by a higher fee
    broadcasts: int = 0
    block_number: int | None = None
    error: str | None = None

    @property
    def hashes(self) -> list[str]:
        """Every hash this intent was ever signed as, the current one first."""
        return [self.tx_hash, *self.earlier_hashes]

    @property
    def replacements(self) -> int:
        return len(self.earlier_hashes)

    def replace(self, signed: SignedTransaction, fees: Fees, at: datetime) -> None:
        """The same nonce signed again with higher fees; the old hash is kept."""
        self.earlier_hashes.insert(0, self.tx_hash)
        self.raw, self.tx_hash, self.fees, self.updated_at = signed.raw, signed.tx_hash, fees, at

    def settle(self, status: TxStatus, tx_hash: str, block: int | None, at: datetime) -> None:
        if tx_hash != self.tx_hash and tx_hash in self.earlier_hashes:
            # An earlier signing was mined: that hash is the one the chain knows.
            self.earlier_hashes.remove(tx_hash)
            self.earlier_hashes.insert(0, self.tx_hash)
            self.tx_hash = tx_hash
        self.status, self.block_number, self.updated_at = status, block, at
