"""Deployed contract versions, recorded by `flask chain deploy` and read by the indexer."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from app.adapters.sql.database import Database
from app.adapters.sql.tables_chain import chain_contracts
from app.domain.indexer.model import FollowedContract


class SqlContractRegistry:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, contracts: list[FollowedContract], chain_id: int) -> None:
        """Add a deployment; earlier versions of the same contracts stop at its first block."""
        c = chain_contracts.c
        with self._db.engine.begin() as conn:
            for contract in contracts:
                conn.execute(
                    sa.update(chain_contracts)
                    .where(
                        (c.name == contract.name) & c.to_block.is_(None) & (c.chain_id == chain_id)
                    )
                    .values(to_block=contract.from_block - 1)
                )
                conn.execute(
                    sa.insert(chain_contracts).values(
                        address=contract.address,
                        name=contract.name,
                        from_block=contract.from_block,
                        to_block=None,
                        chain_id=chain_id,
                        deployed_at=datetime.now(UTC),
                    )
                )

    def followed(self, chain_id: int) -> list[FollowedContract]:
        with self._db.read() as conn:
            rows = conn.execute(
                sa.select(chain_contracts)
                .where(chain_contracts.c.chain_id == chain_id)
                .order_by(chain_contracts.c.from_block)
            ).all()
        return [
            FollowedContract(
                r.address,
                r.name,
                int(r.from_block),
                None if r.to_block is None else int(r.to_block),
            )
            for r in rows
        ]

    def current(self, chain_id: int, name: str) -> FollowedContract | None:
        live = [c for c in self.followed(chain_id) if c.name == name and c.to_block is None]
        return live[-1] if live else None
