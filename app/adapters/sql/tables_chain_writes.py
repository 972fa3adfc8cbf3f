"""Tables of the chain write-ahead log: every signed transaction, one per intent, and
the nonce counter of each sending address."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata
from app.adapters.sql.types import Json, UtcDateTime

chain_transactions = sa.Table(
    "chain_transactions",
    metadata,
    sa.Column("intent", sa.String(120), primary_key=True),
    sa.Column("chain_id", sa.BigInteger, nullable=False),
    sa.Column("sender", sa.String(42), nullable=False),
    sa.Column("nonce", sa.BigInteger, nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("to_address", sa.String(42), nullable=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("gas", sa.BigInteger, nullable=False),
    sa.Column("max_fee_per_gas", sa.BigInteger, nullable=False),
    sa.Column("max_priority_fee_per_gas", sa.BigInteger, nullable=False),
    sa.Column("raw", sa.LargeBinary, nullable=False),
    sa.Column("tx_hash", sa.String(66), nullable=False, unique=True),
    sa.Column("earlier_hashes", Json, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("broadcasts", sa.Integer, nullable=False),
    sa.Column("block_number", sa.BigInteger, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # Two intents can never share a nonce: only one of them could ever be mined.
    sa.UniqueConstraint("chain_id", "sender", "nonce", name="uq_chain_transactions_nonce"),
    sa.CheckConstraint("nonce >= 0", name="nonce_not_negative"),
)

chain_nonces = sa.Table(
    "chain_nonces",
    metadata,
    sa.Column("chain_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("sender", sa.String(42), primary_key=True),
    sa.Column("next_nonce", sa.BigInteger, nullable=False),
    sa.CheckConstraint("next_nonce >= 0", name="next_nonce_not_negative"),
)
