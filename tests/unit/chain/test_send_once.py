"""The write-ahead path against an in-memory node and log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.chain.errors import CallReverted, NotMinedYet
from app.domain.chain.model import ContractCall, TxStatus
from app.domain.chain.services import WaitPolicy, send_once
from tests.fakes.chain import FakeChainUoW, FakeNode

THREE_MINUTES = timedelta(minutes=3)
CALL = ContractCall("CarbonRegistry.retire", "0x" + "22" * 20, b"\x01\x02")


def _send(uow: FakeChainUoW, node: FakeNode, intent: str = "credits.retire:r1", **wait: object):
    return send_once(intent, CALL, uow=uow, writer=node, clock=uow.clock, wait=WaitPolicy(**wait))


def test_an_intent_is_signed_stored_and_mined_once() -> None:
    uow, node = FakeChainUoW(), FakeNode()
    first = _send(uow, node)
    again = _send(uow, node)

    assert first.status == again.status == TxStatus.MINED
    assert first.tx_hash == again.tx_hash
    assert len(node.signed) == 1
    assert len(node.mined) == 1
    assert node.broadcasts == [first.tx_hash]  # the rerun found it settled
    assert uow.chain_txs.rows["credits.retire:r1"].status == TxStatus.MINED


def test_a_revert_caused_by_a_concurrent_delivery_of_the_intent_follows_that_delivery() -> None:
    uow, node = FakeChainUoW(), FakeNode()
    checked = node.preflight

    def preflight(call: ContractCall) -> int:
        node.preflight = checked  # type: ignore[method-assign]
        _send(uow, node)  # the other delivery signs, sends and mines the intent meanwhile
        raise CallReverted(call.action, "KilogramsAlreadyRetired(tokenId=1)")

    node.preflight = preflight  # type: ignore[method-assign]
    settled = _send(uow, node)

    assert settled.status == TxStatus.MINED
    assert len(node.signed) == 1


def test_a_call_that_would_revert_uses_no_nonce_and_stores_nothing() -> None:
    uow, node = FakeChainUoW(), FakeNode(revert="KilogramsAlreadyRetired(tokenId=1)")
    with pytest.raises(CallReverted, match="KilogramsAlreadyRetired"):
        _send(uow, node)
    assert uow.chain_txs.rows == {}
    assert uow.chain_txs.counters == {}


def test_a_receipt_that_does_not_come_is_awaited_again_with_the_same_bytes() -> None:
    uow, node = FakeChainUoW(), FakeNode(automine=False)
    with pytest.raises(NotMinedYet):
        _send(uow, node)
    with pytest.raises(NotMinedYet):
        _send(uow, node)
    node.mine_pending()

    settled = _send(uow, node)

    assert settled.status == TxStatus.MINED
    assert len(node.signed) == 1
    assert set(node.broadcasts) == {settled.tx_hash}


def test_a_stuck_transaction_is_replaced_with_the_same_nonce_and_higher_fees() -> None:
    uow, node = FakeChainUoW(), FakeNode(automine=False)
    with pytest.raises(NotMinedYet):
        _send(uow, node)
    first = uow.chain_txs.rows["credits.retire:r1"]
    uow.clock.advance(minutes=5)
    with pytest.raises(NotMinedYet):
        _send(uow, node, replace_after=THREE_MINUTES, max_replacements=1)
    uow.clock.advance(minutes=5)
    with pytest.raises(NotMinedYet):  # the bound is reached: broadcast again, not replaced
        _send(uow, node, replace_after=THREE_MINUTES, max_replacements=1)
    node.mine_pending()

    settled = _send(uow, node)

    assert settled.nonce == first.nonce
    assert settled.replacements == 1
    assert settled.fees.max_fee_per_gas > first.fees.max_fee_per_gas
    assert settled.earlier_hashes == [first.tx_hash]
    assert len(node.mined) == 1  # one transaction per nonce is ever mined


def test_an_earlier_signing_that_gets_mined_settles_the_intent() -> None:
    uow, node = FakeChainUoW(), FakeNode(automine=False)
    with pytest.raises(NotMinedYet):
        _send(uow, node)
    first_hash = uow.chain_txs.rows["credits.retire:r1"].tx_hash
    node.mine_pending()  # the first signing is mined while we replace it
    uow.clock.advance(minutes=5)

    settled = _send(uow, node)

    assert settled.tx_hash == first_hash
    assert settled.status == TxStatus.MINED


def test_each_intent_gets_the_next_nonce_and_a_foreign_one_is_skipped() -> None:
    uow, node = FakeChainUoW(), FakeNode()
    a = _send(uow, node, "credits.mint:a")
    node.next_nonce += 1  # the key sent a transaction of its own elsewhere
    b = _send(uow, node, "credits.mint:b")
    assert (a.nonce, b.nonce) == (0, 2)


def test_a_nonce_used_by_our_own_transaction_is_not_a_drop_while_its_receipt_lags() -> None:
    uow, node = FakeChainUoW(), FakeNode(automine=False)
    with pytest.raises(NotMinedYet):
        _send(uow, node)  # a first delivery sent it
    node.mine_pending()  # mined: the nonce is used ...
    node.receipts_lag = 2  # ... and its receipt not readable at once (two reads)

    settled = _send(uow, node)  # a second delivery: "nonce too low" on its broadcast

    assert settled.status == TxStatus.MINED


def test_a_nonce_used_by_another_transaction_drops_the_intent() -> None:
    uow, node = FakeChainUoW(), FakeNode(automine=False)
    with pytest.raises(NotMinedYet):
        _send(uow, node)
    node.pool.clear()
    node.next_nonce = 1  # another transaction of the key took nonce 0

    dropped = _send(uow, node)

    assert dropped.status == TxStatus.DROPPED
    assert "nonce 0" in (dropped.error or "")
