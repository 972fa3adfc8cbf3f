"""Tables of the credit ledger and the chain indexer."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata
from app.adapters.sql.types import Json, UtcDateTime

credit_batches = sa.Table(
    "credit_batches",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "project_id", sa.String(32), sa.ForeignKey("projects.id"), nullable=False, index=True
    ),
    sa.Column("vintage", sa.Integer, nullable=False),
    sa.Column("monitoring_period", sa.String(64), nullable=False),
    sa.Column("token_id", sa.BigInteger, nullable=False, unique=True),
    sa.Column("serial_start", sa.BigInteger, nullable=False),
    sa.Column("serial_end", sa.BigInteger, nullable=False),
    sa.Column("issued_kg", sa.BigInteger, nullable=False),
    sa.Column("retired_kg", sa.BigInteger, nullable=False),
    sa.Column("next_kg", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("mint_tx", sa.String(66), nullable=True),
    sa.Column("mint_block", sa.BigInteger, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint(
        "project_id", "vintage", "monitoring_period", name="uq_credit_batches_issuance"
    ),
    sa.CheckConstraint("serial_end >= serial_start", name="serial_order"),
    # One serial per started tonne: the last serial may hold a part of a tonne.
    sa.CheckConstraint(
        "issued_kg > (serial_end - serial_start) * 1000"
        " AND issued_kg <= (serial_end - serial_start + 1) * 1000",
        name="one_serial_per_tonne",
    ),
    sa.CheckConstraint("retired_kg >= 0 AND retired_kg <= issued_kg", name="retired_within_issued"),
    sa.CheckConstraint(
        "next_kg >= serial_start * 1000 AND next_kg <= serial_start * 1000 + issued_kg",
        name="next_kg_in_range",
    ),
)

# One row, locked to serialize the allocation of serials and token ids.
credit_allocation = sa.Table(
    "credit_allocation",
    metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.CheckConstraint("id = 1", name="single_row"),
)

credit_balances = sa.Table(
    "credit_balances",
    metadata,
    sa.Column("address", sa.String(42), primary_key=True),
    sa.Column("token_id", sa.BigInteger, primary_key=True, index=True),
    sa.Column("onchain_kg", sa.BigInteger, nullable=False),
    sa.Column("pending_out_kg", sa.BigInteger, nullable=False),
    sa.CheckConstraint("pending_out_kg >= 0", name="pending_not_negative"),
)

retirements = sa.Table(
    "retirements",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("holder_address", sa.String(42), nullable=False, index=True),
    sa.Column("owner_kind", sa.String(16), nullable=False),
    sa.Column("owner_id", sa.String(32), nullable=False, index=True),
    sa.Column("project_id", sa.String(32), nullable=False, index=True),
    sa.Column("vintage", sa.Integer, nullable=False),
    sa.Column("batch_id", sa.String(32), sa.ForeignKey("credit_batches.id"), nullable=False),
    sa.Column("token_id", sa.BigInteger, nullable=False),
    sa.Column("quantity_kg", sa.BigInteger, nullable=False),
    sa.Column("beneficiary", sa.String(300), nullable=False),
    sa.Column("purpose", sa.String(1000), nullable=False),
    sa.Column("serial_start", sa.BigInteger, nullable=False),
    sa.Column("serial_end", sa.BigInteger, nullable=False),
    sa.Column("kg_start", sa.BigInteger, nullable=False),
    sa.Column("kg_end", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("tx_hash", sa.String(66), nullable=True, index=True),
    sa.Column("self_custody", sa.Boolean, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("confirmed_at", UtcDateTime, nullable=True),
    sa.Column("confirmed_block", sa.BigInteger, nullable=True),
    sa.Column("failure", sa.Text, nullable=True),
    sa.Column("certificate_id", sa.String(32), nullable=True),
    sa.Column("beneficiary_visibility", sa.String(16), nullable=False, server_default="public"),
    sa.Column("beneficiary_salt", sa.String(32), nullable=True),
    # No kilogram is retired twice: ranges of retirements that did not fail never overlap
    # (migration 0008 adds the exclusion constraint on PostgreSQL and triggers on SQLite,
    # which plain table metadata cannot express on both).
    sa.Index("ix_retirements_token_kg", "token_id", "kg_start"),
    sa.CheckConstraint("quantity_kg > 0", name="quantity_positive"),
    sa.CheckConstraint("kg_end - kg_start + 1 = quantity_kg", name="kg_range_is_quantity"),
    sa.CheckConstraint(
        "serial_start = kg_start / 1000 AND serial_end = kg_end / 1000", name="serials_of_kg"
    ),
    sa.CheckConstraint(
        "beneficiary_visibility IN ('public', 'pseudonymous')", name="beneficiary_visibility"
    ),
)

custodial_accounts = sa.Table(
    "custodial_accounts",
    metadata,
    sa.Column("owner_kind", sa.String(16), primary_key=True),
    sa.Column("owner_id", sa.String(32), primary_key=True),
    sa.Column("address", sa.String(42), nullable=False, unique=True),
    sa.Column("encrypted_key", sa.LargeBinary, nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

chain_events = sa.Table(
    "chain_events",
    metadata,
    sa.Column("block_number", sa.BigInteger, primary_key=True),
    sa.Column("log_index", sa.Integer, primary_key=True),
    sa.Column("block_hash", sa.String(66), nullable=False),
    sa.Column("tx_hash", sa.String(66), nullable=False, index=True),
    sa.Column("address", sa.String(42), nullable=False),
    sa.Column("name", sa.String(64), nullable=False, index=True),
    sa.Column("args", Json, nullable=False),
)

chain_blocks = sa.Table(
    "chain_blocks",
    metadata,
    sa.Column("number", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.String(66), nullable=False),
)

chain_checkpoints = sa.Table(
    "chain_checkpoints",
    metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("chain_id", sa.BigInteger, nullable=False),
    sa.Column("genesis_hash", sa.String(66), nullable=False),
    sa.Column("block_number", sa.BigInteger, nullable=False),
    sa.Column("block_hash", sa.String(66), nullable=True),
    sa.Column("head_block", sa.BigInteger, nullable=False),
    sa.Column("safe_block", sa.BigInteger, nullable=False),
    sa.Column("reorgs", sa.Integer, nullable=False),
    sa.Column("halted", sa.Text, nullable=True),
)

chain_projects = sa.Table(
    "chain_projects",
    metadata,
    sa.Column("project_key", sa.String(66), primary_key=True),
    sa.Column("project_id", sa.String(32), nullable=False, unique=True),
    sa.Column("register_tx", sa.String(66), nullable=True),
)

# Every deployed version of the platform contracts, with the block range it is followed
# for (an upgrade closes the previous version's range).
chain_contracts = sa.Table(
    "chain_contracts",
    metadata,
    sa.Column("address", sa.String(42), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("from_block", sa.BigInteger, nullable=False),
    sa.Column("to_block", sa.BigInteger, nullable=True),
    sa.Column("chain_id", sa.BigInteger, nullable=False),
    sa.Column("deployed_at", UtcDateTime, nullable=False),
)
