"""Read side of the ledger and the indexer (autocommit connection, plain queries)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.adapters.sql.paging import page_of
from app.adapters.sql.tables_auth import wallets
from app.adapters.sql.tables_chain import (
    chain_checkpoints,
    chain_events,
    credit_balances,
    credit_batches,
    custodial_accounts,
)


class SqlLedgerReads:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def batches(
        self, project_id: str | None, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """By token id: the page from `offset` and how many batches there are."""
        query = sa.select(credit_batches).order_by(credit_batches.c.token_id)
        if project_id:
            query = query.where(credit_batches.c.project_id == project_id)
        rows, total = page_of(self._conn, query, offset, limit)
        return [dict(r._mapping) for r in rows], total

    def token_ids(self, project_id: str) -> list[int]:
        """Every batch's token id of the project."""
        c = credit_batches.c
        query = sa.select(c.token_id).where(c.project_id == project_id).order_by(c.token_id)
        return list(self._conn.execute(query).scalars())

    def balances(
        self, holders: list[str] | None, project_id: str | None, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Non-zero holdings by holder and token id: a page and how many there are."""
        b, c = credit_balances.c, credit_batches.c
        query = (
            sa.select(
                b.address, b.token_id, b.onchain_kg, b.pending_out_kg, c.project_id, c.vintage
            )
            .join(credit_batches, credit_batches.c.token_id == b.token_id)
            .where(b.onchain_kg != 0)
            .order_by(b.address, b.token_id)
        )
        if holders is not None:
            query = query.where(sa.func.lower(b.address).in_([h.lower() for h in holders]))
        if project_id:
            query = query.where(c.project_id == project_id)
        rows, total = page_of(self._conn, query, offset, limit)
        return [dict(r._mapping) for r in rows], total

    def holder_addresses(self, owners: list[tuple[str, str]]) -> list[str]:
        c = custodial_accounts.c
        conditions = [(c.owner_kind == k) & (c.owner_id == i) for k, i in owners]
        if not conditions:
            return []
        users = [i for k, i in owners if k == "user"]
        query = sa.union_all(
            sa.select(c.address).where(sa.or_(*conditions)),
            sa.select(wallets.c.address).where(wallets.c.user_id.in_(users)),
        )
        return list(self._conn.execute(query).scalars())

    def checkpoint(self) -> dict[str, Any] | None:
        row = self._conn.execute(
            sa.select(chain_checkpoints).where(chain_checkpoints.c.id == 1)
        ).first()
        return dict(row._mapping) if row else None

    def transactions(
        self, address: str | None, token_ids: list[int] | None, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Events newest first, those with `address` among their arguments' values or a
        `tokenId` argument among `token_ids` when given: a page and how many match."""
        e = chain_events.c
        query = sa.select(chain_events).order_by(e.block_number.desc(), e.log_index.desc())
        if address:
            # A string argument equal to the address: its JSON text, quoted, is in the args'.
            args_text = sa.func.lower(sa.cast(e.args, sa.Text))
            query = query.where(args_text.contains(f'"{address.lower()}"', autoescape=True))
        if token_ids is not None:
            token = sa.cast(e.args["tokenId"].as_string(), sa.Text)
            query = query.where(token.in_([str(t) for t in token_ids]))
        rows, total = page_of(self._conn, query, offset, limit)
        return [dict(r._mapping) for r in rows], total

    def invariant_violations(self) -> list[str]:
        """Per batch: issued = held on chain (available + reserved) + retired on chain
        (confirmed batches only; pending ones have not reached the chain yet); and per
        holding, its reservation = its pending retirements + its listings' promises."""
        sql = sa.text(
            """
            SELECT b.token_id, b.issued_kg,
                   COALESCE((SELECT SUM(onchain_kg) FROM credit_balances h
                             WHERE h.token_id = b.token_id), 0) AS held_kg,
                   COALESCE((SELECT SUM(quantity_kg) FROM retirements r
                             WHERE r.token_id = b.token_id AND r.status = 'confirmed'), 0)
                       AS retired_kg
            FROM credit_batches b WHERE b.status = 'confirmed' ORDER BY b.token_id
            """
        )
        problems = []
        for row in self._conn.execute(sql):
            if int(row.issued_kg) != int(row.held_kg) + int(row.retired_kg):
                problems.append(
                    f"token {row.token_id}: issued {row.issued_kg} kg != held {row.held_kg} kg"
                    f" + retired {row.retired_kg} kg"
                )
        return problems + self._reservation_violations()

    def _reservation_violations(self) -> list[str]:
        """Per holding: what it reserves is what its promises add up to: its pending
        custodial retirements, its listings' unsold kilograms (on a withdrawn listing, only
        what open orders still hold), and what reminded retirement schedules hold back."""
        sql = sa.text(
            """
            SELECT h.address, h.token_id, h.pending_out_kg,
                   COALESCE((SELECT SUM(quantity_kg) FROM retirements r
                             WHERE r.holder_address = h.address AND r.token_id = h.token_id
                               AND r.status = 'pending' AND NOT r.self_custody), 0)
                   + COALESCE((SELECT SUM(CASE WHEN l.status = 'withdrawn' THEN l.reserved_kg
                                               ELSE l.quantity_kg - l.sold_kg END)
                               FROM market_listings l
                               WHERE l.seller_address = h.address
                                 AND l.token_id = h.token_id), 0)
                   + COALESCE((SELECT SUM(quantity_kg) FROM retirement_schedules s
                               WHERE s.holder_address = h.address
                                 AND s.reserved_token_id = h.token_id
                                 AND s.status = 'reserved'), 0) AS promised_kg
            FROM credit_balances h ORDER BY h.token_id, h.address
            """
        )
        return [
            f"holding {row.address} token {row.token_id}: reserves {row.pending_out_kg} kg,"
            f" promised {row.promised_kg} kg"
            for row in self._conn.execute(sql)
            if int(row.pending_out_kg) != int(row.promised_kg)
        ]
