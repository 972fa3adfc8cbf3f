"""The chain write-ahead log in SQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.adapters.sql.database import upsert_insert
from app.adapters.sql.tables_chain_writes import chain_nonces, chain_transactions
from app.domain.chain.model import ChainTransaction, Fees, TxStatus

t = chain_transactions


def _row(tx: ChainTransaction) -> dict[str, Any]:
    return {
        "intent": tx.intent,
        "chain_id": tx.chain_id,
        "sender": tx.sender,
        "nonce": tx.nonce,
        "action": tx.action,
        "to_address": tx.to,
        "data": tx.data,
        "gas": tx.gas,
        "max_fee_per_gas": tx.fees.max_fee_per_gas,
        "max_priority_fee_per_gas": tx.fees.max_priority_fee_per_gas,
        "raw": tx.raw,
        "tx_hash": tx.tx_hash,
        "earlier_hashes": list(tx.earlier_hashes),
        "status": tx.status.value,
        "broadcasts": tx.broadcasts,
        "block_number": tx.block_number,
        "error": tx.error,
        "created_at": tx.created_at,
        "updated_at": tx.updated_at,
    }


def chain_transaction(row: Any) -> ChainTransaction:
    return ChainTransaction(
        intent=row.intent,
        chain_id=row.chain_id,
        sender=row.sender,
        nonce=row.nonce,
        action=row.action,
        to=row.to_address,
        data=bytes(row.data),
        gas=row.gas,
        fees=Fees(row.max_fee_per_gas, row.max_priority_fee_per_gas),
        raw=bytes(row.raw),
        tx_hash=row.tx_hash,
        created_at=row.created_at,
        updated_at=row.updated_at,
        status=TxStatus(row.status),
        earlier_hashes=list(row.earlier_hashes),
        broadcasts=row.broadcasts,
        block_number=row.block_number,
        error=row.error,
    )


class SqlChainTransactionRepository:
    def __init__(self, session: Session) -> None:
        self._db = session

    def get(self, intent: str) -> ChainTransaction | None:
        row = self._db.execute(sa.select(t).where(t.c.intent == intent)).first()
        return chain_transaction(row) if row else None

    def get_for_update(self, intent: str) -> ChainTransaction | None:
        query = sa.select(t).where(t.c.intent == intent).with_for_update()
        row = self._db.execute(query).first()
        return chain_transaction(row) if row else None

    def add(self, tx: ChainTransaction) -> None:
        self._db.execute(sa.insert(t).values(_row(tx)))

    def save(self, tx: ChainTransaction) -> None:
        values = _row(tx)
        del values["intent"]
        self._db.execute(sa.update(t).where(t.c.intent == tx.intent).values(values))

    def allocate_nonce(self, chain_id: int, sender: str, floor: int) -> int:
        self._db.execute(
            upsert_insert(self._db, chain_nonces)
            .values(chain_id=chain_id, sender=sender, next_nonce=0)
            .on_conflict_do_nothing()
        )
        key = (chain_nonces.c.chain_id == chain_id) & (chain_nonces.c.sender == sender)
        stored = self._db.execute(
            sa.select(chain_nonces.c.next_nonce).where(key).with_for_update()
        ).scalar_one()
        nonce = max(int(stored), floor)
        self._db.execute(sa.update(chain_nonces).where(key).values(next_nonce=nonce + 1))
        return nonce

    def recent(self, offset: int, limit: int) -> tuple[list[ChainTransaction], int]:
        total = int(self._db.execute(sa.select(sa.func.count()).select_from(t)).scalar() or 0)
        query = sa.select(t).order_by(t.c.created_at.desc(), t.c.nonce.desc())
        rows = self._db.execute(query.offset(offset).limit(limit))
        return [chain_transaction(row) for row in rows], total
