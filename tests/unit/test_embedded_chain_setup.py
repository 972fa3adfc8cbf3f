"""Settings and the reset's table list for the embedded chain (no chain, no database)."""

from __future__ import annotations

import pytest

from app.adapters.sql.ledger_reset import chain_only_tables
from app.main.config import INSTANCE, Settings

pytestmark = pytest.mark.unit


def test_the_chain_is_kept_under_instance_by_default_and_memory_keeps_it_in_memory():
    assert Settings.from_env({}).embedded_chain_dir == str(INSTANCE / "chain")
    assert Settings.from_env({"EMBEDDED_CHAIN_DIR": "/srv/chain"}).embedded_chain_dir == (
        "/srv/chain"
    )
    assert Settings.from_env({"EMBEDDED_CHAIN_DIR": "memory"}).embedded_chain_dir is None
    assert Settings().embedded_chain_dir is None  # what tests build: in memory


def test_the_reset_deletes_dependents_before_what_they_point_at():
    names = [table.name for table in chain_only_tables()]
    assert {"chain_events", "chain_checkpoints", "credit_batches", "retirements"} <= set(names)
    assert names.index("retirements") < names.index("credit_batches")
    assert "projects" not in names
    assert "custodial_accounts" not in names
