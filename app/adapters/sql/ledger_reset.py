"""The ledger rows that only exist because of one chain: what `flask chain reset-embedded`
discards with the chain file, so the next start builds a new chain that agrees with the
database. Projects, accounts, wallets, documents, custodial keys and the audit log stay.
Token ids and serials are counted from the batches, so the new chain starts them at 1."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata

# The indexer's view of the chain, the holdings and batches it confirmed, retirements,
# projects' on-chain registrations; the write-ahead log of signed transactions and its
# nonce counters; the marketplace's listings of those credits (and with them their
# quotes and orders), when those tables exist.
CHAIN_ONLY = (
    "chain_events",
    "chain_blocks",
    "chain_checkpoints",
    "credit_balances",
    "credit_batches",
    "retirements",
    "chain_projects",
    "chain_transactions",
    "chain_nonces",
    "market_listings",
)


def chain_only_tables() -> list[sa.Table]:
    """Those tables, plus any table whose rows point at their rows (a foreign key),
    dependents first: the order to delete in."""
    names = {name for name in CHAIN_ONLY if name in metadata.tables}
    grown = True
    while grown:
        dependents = {
            table.name
            for table in metadata.tables.values()
            if any(fk.column.table.name in names for fk in table.foreign_keys)
        }
        grown = not dependents <= names
        names |= dependents
    return [table for table in reversed(metadata.sorted_tables) if table.name in names]


def count_chain_rows(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: int(
                conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            )
            for table in chain_only_tables()
        }


def discard_chain_rows(engine: sa.Engine) -> dict[str, int]:
    """Delete them all in one transaction; returns the rows deleted per table."""
    deleted: dict[str, int] = {}
    with engine.begin() as conn:
        for table in chain_only_tables():
            deleted[table.name] = conn.execute(sa.delete(table)).rowcount
    return deleted
