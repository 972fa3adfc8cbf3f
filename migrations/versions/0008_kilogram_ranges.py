"""Quantities to the kilogram: a batch's next kilogram instead of its next serial, and a
kilogram range on every retirement, never overlapping another that did not fail.

Existing rows were whole tonnes: serial `s` is kilograms `s*1000 .. s*1000+999`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# SQLite has no exclusion constraints: triggers refuse an overlapping range instead. (A
# later migration that rebuilds `retirements` in batch mode must create them again.)
_OVERLAP = """
    NEW.status <> 'failed' AND EXISTS (
        SELECT 1 FROM retirements r
        WHERE r.token_id = NEW.token_id AND r.id <> NEW.id AND r.status <> 'failed'
          AND r.kg_start <= NEW.kg_end AND NEW.kg_start <= r.kg_end)
"""
_RAISE = "SELECT RAISE(ABORT, 'retirements_kg_overlap: a kilogram would be retired twice');"
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER retirements_kg_overlap_insert BEFORE INSERT ON retirements "
    f"WHEN {_OVERLAP} BEGIN {_RAISE} END",
    f"CREATE TRIGGER retirements_kg_overlap_update "
    f"BEFORE UPDATE OF token_id, kg_start, kg_end, status ON retirements "
    f"WHEN {_OVERLAP} BEGIN {_RAISE} END",
)
PG_EXCLUSION = (
    "ALTER TABLE retirements ADD CONSTRAINT ex_retirements_kg_overlap EXCLUDE USING gist "
    "(token_id WITH =, int8range(kg_start, kg_end, '[]') WITH &&) WHERE (status <> 'failed')"
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("credit_batches") as batch:
        batch.add_column(sa.Column("next_kg", sa.BigInteger(), nullable=True))
    op.execute("UPDATE credit_batches SET next_kg = next_serial * 1000")
    with op.batch_alter_table("credit_batches") as batch:
        batch.drop_constraint(op.f("ck_credit_batches_next_serial_in_range"), type_="check")
        batch.drop_constraint(op.f("ck_credit_batches_one_serial_per_tonne"), type_="check")
        batch.drop_column("next_serial")
        batch.alter_column("next_kg", existing_type=sa.BigInteger(), nullable=False)
        batch.create_check_constraint(
            "one_serial_per_tonne",
            "issued_kg > (serial_end - serial_start) * 1000"
            " AND issued_kg <= (serial_end - serial_start + 1) * 1000",
        )
        batch.create_check_constraint(
            "next_kg_in_range",
            "next_kg >= serial_start * 1000 AND next_kg <= serial_start * 1000 + issued_kg",
        )

    with op.batch_alter_table("retirements") as batch:
        batch.add_column(sa.Column("kg_start", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("kg_end", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE retirements SET kg_start = serial_start * 1000, "
        "kg_end = serial_start * 1000 + quantity_kg - 1"
    )
    with op.batch_alter_table("retirements") as batch:
        batch.drop_constraint(op.f("uq_retirements_serial"), type_="unique")
        batch.alter_column("kg_start", existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column("kg_end", existing_type=sa.BigInteger(), nullable=False)
        batch.create_index("ix_retirements_token_kg", ["token_id", "kg_start"], unique=False)
        batch.create_check_constraint("kg_range_is_quantity", "kg_end - kg_start + 1 = quantity_kg")
        batch.create_check_constraint(
            "serials_of_kg", "serial_start = kg_start / 1000 AND serial_end = kg_end / 1000"
        )
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(PG_EXCLUSION)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    fractional = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT count(*) FROM retirements WHERE kg_start % 1000 <> 0 OR quantity_kg % 1000 <> 0"
            )
        )
        .scalar()
    )
    if fractional:
        raise RuntimeError(f"{fractional} retirements are fractional: they cannot be downgraded")
    if dialect == "postgresql":
        op.execute("ALTER TABLE retirements DROP CONSTRAINT ex_retirements_kg_overlap")
    else:
        op.execute("DROP TRIGGER IF EXISTS retirements_kg_overlap_insert")
        op.execute("DROP TRIGGER IF EXISTS retirements_kg_overlap_update")
    with op.batch_alter_table("retirements") as batch:
        batch.drop_constraint(op.f("ck_retirements_serials_of_kg"), type_="check")
        batch.drop_constraint(op.f("ck_retirements_kg_range_is_quantity"), type_="check")
        batch.drop_index("ix_retirements_token_kg")
        batch.drop_column("kg_end")
        batch.drop_column("kg_start")
        batch.create_unique_constraint("uq_retirements_serial", ["token_id", "serial_start"])
    with op.batch_alter_table("credit_batches") as batch:
        batch.add_column(sa.Column("next_serial", sa.BigInteger(), nullable=True))
    op.execute("UPDATE credit_batches SET next_serial = (next_kg + 999) / 1000")
    with op.batch_alter_table("credit_batches") as batch:
        batch.drop_constraint(op.f("ck_credit_batches_next_kg_in_range"), type_="check")
        batch.drop_constraint(op.f("ck_credit_batches_one_serial_per_tonne"), type_="check")
        batch.drop_column("next_kg")
        batch.alter_column("next_serial", existing_type=sa.BigInteger(), nullable=False)
        batch.create_check_constraint(
            "one_serial_per_tonne", "issued_kg = (serial_end - serial_start + 1) * 1000"
        )
        batch.create_check_constraint(
            "next_serial_in_range", "next_serial >= serial_start AND next_serial <= serial_end + 1"
        )
