"""SQL repository of the credit ledger: batches, holdings, retirements, custodial
accounts and projects' chain keys."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.adapters.sql.database import upsert_insert
from app.adapters.sql.paging import page_of
from app.adapters.sql.tables_chain import (
    chain_events,
    chain_projects,
    credit_allocation,
    credit_balances,
    credit_batches,
    custodial_accounts,
    retirements,
)
from app.domain.credits.model import (
    BatchStatus,
    CreditBatch,
    Holding,
    Retirement,
    RetirementStatus,
)

FIRST_SERIAL, FIRST_TOKEN = 1, 1


def _batch(row: Any) -> CreditBatch:
    data = dict(row._mapping)
    data["status"] = BatchStatus(data["status"])
    return CreditBatch(**data)


def _retirement(row: Any) -> Retirement:
    data = dict(row._mapping)
    data["status"] = RetirementStatus(data["status"])
    del data["serial_start"], data["serial_end"]  # stored for reads; derived from the kg
    return Retirement(**data)


def _retirement_values(retirement: Retirement) -> dict[str, Any]:
    return {
        **asdict(retirement),
        "status": retirement.status.value,
        "serial_start": retirement.serial_start,
        "serial_end": retirement.serial_end,
    }


class SqlCreditRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add_batch(self, batch: CreditBatch) -> None:
        self._db.execute(
            sa.insert(credit_batches).values({**asdict(batch), "status": batch.status.value})
        )

    def save_batch(self, batch: CreditBatch) -> None:
        values = {**asdict(batch), "status": batch.status.value}
        self._db.execute(
            sa.update(credit_batches).where(credit_batches.c.id == batch.id).values(values)
        )

    def get_batch(self, batch_id: str) -> CreditBatch | None:
        row = self._db.execute(
            sa.select(credit_batches).where(credit_batches.c.id == batch_id)
        ).first()
        return _batch(row) if row else None

    def batch_by_token_for_update(self, token_id: int) -> CreditBatch | None:
        query = (
            sa.select(credit_batches).where(credit_batches.c.token_id == token_id).with_for_update()
        )
        row = self._db.execute(query).first()
        return _batch(row) if row else None

    def batches_for(self, project_id: str, vintage: int | None) -> list[CreditBatch]:
        query = sa.select(credit_batches).where(credit_batches.c.project_id == project_id)
        if vintage is not None:
            query = query.where(credit_batches.c.vintage == vintage)
        return [_batch(r) for r in self._db.execute(query.order_by(credit_batches.c.token_id))]

    def lock_allocation(self) -> None:
        query = sa.select(credit_allocation.c.id).where(credit_allocation.c.id == 1)
        if self._db.execute(query.with_for_update()).first() is None:
            self._db.execute(sa.insert(credit_allocation).values(id=1))

    def next_serial(self) -> int:
        top = self._db.execute(sa.select(sa.func.max(credit_batches.c.serial_end))).scalar()
        return int(top) + 1 if top is not None else FIRST_SERIAL

    def next_token_id(self) -> int:
        top = self._db.execute(sa.select(sa.func.max(credit_batches.c.token_id))).scalar()
        return int(top) + 1 if top is not None else FIRST_TOKEN

    def holding_for_update(self, address: str, token_id: int) -> Holding:
        where = (credit_balances.c.address == address) & (credit_balances.c.token_id == token_id)
        row = self._db.execute(sa.select(credit_balances).where(where).with_for_update()).first()
        if row is None:
            self._db.execute(
                sa.insert(credit_balances).values(
                    address=address, token_id=token_id, onchain_kg=0, pending_out_kg=0
                )
            )
            row = self._db.execute(sa.select(credit_balances).where(where).with_for_update()).one()
        return Holding(row.address, int(row.token_id), int(row.onchain_kg), int(row.pending_out_kg))

    def save_holding(self, holding: Holding) -> None:
        self._db.execute(
            sa.update(credit_balances)
            .where(
                (credit_balances.c.address == holding.address)
                & (credit_balances.c.token_id == holding.token_id)
            )
            .values(onchain_kg=holding.onchain_kg, pending_out_kg=holding.pending_out_kg)
        )

    def add_to_holdings(
        self, onchain: dict[tuple[str, int], int], pending: dict[tuple[str, int], int]
    ) -> None:
        """One upsert for every holding. A new row's reservation is the change itself
        (never below zero); an existing one gets the change through `pending_kg`, a
        parameter of each row (the inserted value would have lost its sign)."""
        c = credit_balances.c
        rows: list[dict[str, Any]] = []
        for address, token_id in sorted(onchain.keys() | pending.keys()):  # no deadlocks
            key = (address, token_id)
            row = {"address": address, "token_id": token_id, "onchain_kg": onchain.get(key, 0)}
            row["pending_out_kg"] = max(0, pending.get(key, 0))
            if pending:
                row["pending_kg"] = pending.get(key, 0)
            rows.append(row)
        statement = upsert_insert(self._db, credit_balances)
        changes: dict[str, Any] = {"onchain_kg": c.onchain_kg + statement.excluded.onchain_kg}
        if pending:
            reserved = c.pending_out_kg + sa.bindparam("pending_kg", type_=sa.BigInteger)
            changes["pending_out_kg"] = sa.case((reserved < 0, 0), else_=reserved)
        statement = statement.on_conflict_do_update(
            index_elements=[c.address, c.token_id], set_=changes
        )
        self._db.execute(statement, rows)

    def add_retirement(self, retirement: Retirement) -> None:
        self._db.execute(sa.insert(retirements).values(_retirement_values(retirement)))

    def get_retirement(self, retirement_id: str) -> Retirement | None:
        row = self._db.execute(
            sa.select(retirements).where(retirements.c.id == retirement_id)
        ).first()
        return _retirement(row) if row else None

    def retirement_for_update(self, retirement_id: str) -> Retirement | None:
        query = sa.select(retirements).where(retirements.c.id == retirement_id).with_for_update()
        row = self._db.execute(query).first()
        return _retirement(row) if row else None

    def pending_retirement_for(
        self, token_id: int, holder: str, kg_start: int, kg_end: int
    ) -> Retirement | None:
        c = retirements.c
        query = sa.select(retirements).where(
            (c.token_id == token_id)
            & (sa.func.lower(c.holder_address) == holder.lower())
            & (c.kg_start == kg_start)
            & (c.kg_end == kg_end)
            & (c.status != RetirementStatus.FAILED.value)
        )
        row = self._db.execute(query.with_for_update()).first()
        return _retirement(row) if row else None

    def save_retirement(self, retirement: Retirement) -> None:
        values = _retirement_values(retirement)
        self._db.execute(
            sa.update(retirements).where(retirements.c.id == retirement.id).values(values)
        )

    def list_retirements(
        self, owner_kind: str | None, owner_ids: list[str] | None, offset: int, limit: int
    ) -> tuple[list[Retirement], int]:
        query = sa.select(retirements)
        if owner_ids is not None:
            query = query.where(retirements.c.owner_id.in_(owner_ids))
        if owner_kind is not None:
            query = query.where(retirements.c.owner_kind == owner_kind)
        query = query.order_by(retirements.c.created_at.desc(), retirements.c.id)
        rows, total = page_of(self._db, query, offset, limit)
        return [_retirement(r) for r in rows], total

    def indexed_transaction(self, tx_hash: str) -> bool:
        query = sa.select(sa.literal(1)).where(chain_events.c.tx_hash == tx_hash.lower()).limit(1)
        return self._db.execute(query).first() is not None

    def custodial_address(self, owner_kind: str, owner_id: str) -> str | None:
        c = custodial_accounts.c
        query = sa.select(c.address).where((c.owner_kind == owner_kind) & (c.owner_id == owner_id))
        return self._db.execute(query).scalar()

    def add_custodial(
        self, owner_kind: str, owner_id: str, address: str, encrypted_key: bytes, key_id: str
    ) -> None:
        self._db.execute(
            sa.insert(custodial_accounts).values(
                owner_kind=owner_kind,
                owner_id=owner_id,
                address=address,
                encrypted_key=encrypted_key,
                key_id=key_id,
                created_at=datetime.now(UTC),
            )
        )

    def project_for_key(self, project_key: str) -> str | None:
        query = sa.select(chain_projects.c.project_id).where(
            chain_projects.c.project_key == project_key.lower()
        )
        return self._db.execute(query).scalar()

    def chain_key_of(self, project_id: str) -> str | None:
        query = sa.select(chain_projects.c.project_key).where(
            chain_projects.c.project_id == project_id
        )
        return self._db.execute(query).scalar()

    def record_project_key(
        self, project_key: str, project_id: str, register_tx: str | None
    ) -> None:
        """Idempotent: the register job and a mint may both record it at once."""
        self._db.execute(
            upsert_insert(self._db, chain_projects)
            .values(project_key=project_key.lower(), project_id=project_id, register_tx=register_tx)
            .on_conflict_do_nothing()
        )

    def project_registered(self, project_id: str) -> bool:
        query = sa.select(chain_projects.c.register_tx).where(
            chain_projects.c.project_id == project_id
        )
        return self._db.execute(query).scalar() is not None

    def mark_project_registered(self, project_id: str, register_tx: str) -> None:
        self._db.execute(
            sa.update(chain_projects)
            .where(chain_projects.c.project_id == project_id)
            .values(register_tx=register_tx)
        )
