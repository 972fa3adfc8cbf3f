"""The confirmation-depth rule (`app.domain.shared.chain`): the indexer's safe block, the
chain transactions' status and the ledger records' statuses all come from it."""

import pytest

from app.domain.credits.model import BatchStatus, RetirementStatus, status_at_depth
from app.domain.shared.chain import DEFAULT_CONFIRMATIONS, depth_status, safe_block


def test_the_safe_block_is_the_confirmation_depth_under_the_head():
    assert safe_block(10, 2) == 8
    assert safe_block(10, 0) == 10
    assert safe_block(1, 5) == 0  # never below the genesis block
    assert DEFAULT_CONFIRMATIONS == 2


@pytest.mark.parametrize(
    ("block", "safe", "status"),
    [
        (7, 8, "confirmed"),
        (8, 8, "confirmed"),
        (9, 8, "pending"),
        (None, 8, "pending"),  # not mined yet
        (0, None, "pending"),  # nothing indexed yet
    ],
)
def test_a_block_is_confirmed_once_at_or_below_the_safe_block(block, safe, status):
    assert depth_status(block, safe) == status


@pytest.mark.parametrize("enum", [BatchStatus, RetirementStatus])
def test_a_confirmed_record_is_shown_pending_until_its_block_is_deep_enough(enum):
    assert status_at_depth(enum.CONFIRMED, 8, 8) == "confirmed"
    assert status_at_depth(enum.CONFIRMED, 9, 8) == "pending"
    assert status_at_depth(enum.CONFIRMED, None, 8) == "pending"
    assert status_at_depth(enum.CONFIRMED, 3, None) == "pending"
    assert status_at_depth(enum.PENDING, 3, 8) == "pending"
    assert status_at_depth(enum.FAILED, 3, 8) == "failed"
    assert status_at_depth(enum.FAILED, None, None) == "failed"
    assert type(status_at_depth(enum.FAILED, None, None)) is str


def test_plain_stored_strings_get_the_same_answer():
    assert status_at_depth("confirmed", 8, 8) == "confirmed"
    assert status_at_depth("confirmed", 9, 8) == "pending"
    assert status_at_depth("failed", 9, 8) == "failed"
