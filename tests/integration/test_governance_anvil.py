"""Governance against a real node (anvil): a proposal's whole life through HTTP with the
tally equal to the contract's, and a vote in an orphaned block leaving the tally and
coming back when its transaction is mined again."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from web3 import Web3

from tests.integration.governance_support import (
    index_until,
    member,
    on_chain,
    passed_and_executed,
    proposal,
    propose,
    tally,
    vote,
)

pytest_plugins = ["tests.integration.chain_node"]


@pytest.fixture
def app(make_app: Any, anvil: Any) -> Flask:
    return make_app(
        chain_backend="rpc",
        chain_rpc_url=anvil.rpc_url,
        operator_private_key=anvil.private_key,
        indexer_reorg_window=16,
    )


def _rpc(app: Flask, method: str, *params: Any) -> Any:
    w3: Web3 = app.extensions["platform"].chain.writer.w3
    response = w3.provider.make_request(method, list(params))
    assert "error" not in response, response
    return response["result"]


def test_a_proposal_goes_pending_active_voted_passed_executed_on_anvil(app, client):
    def warp(timestamp: int) -> None:
        _rpc(app, "evm_setNextBlockTimestamp", hex(timestamp))
        _rpc(app, "evm_mine")

    _, body = passed_and_executed(app, client, warp)
    chain = on_chain(app, body["chain_proposal_id"])
    assert tally(body) == (chain.votes_for, chain.votes_against, chain.votes_abstain)


def _vote_row(app: Flask, voter_id: str) -> Any:
    with app.extensions["platform"].db.engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT v.id, v.status, t.raw FROM governance_votes v"
                " JOIN chain_transactions t ON t.intent = 'governance.vote:' || v.id"
                " WHERE v.voter_id = :voter"
            ),
            {"voter": voter_id},
        ).one()


def test_a_vote_in_an_orphaned_block_leaves_the_tally_and_comes_back_when_mined(app, client):
    alice, bob = member(app, client, "alice"), member(app, client, "bob")
    body = propose(app, alice)
    pid, chain_id = body["id"], body["chain_proposal_id"]
    assert vote(alice, pid, "for").status_code == 202
    index_until(app, lambda: tally(proposal(alice, pid)) == (1, 0, 0))
    snapshot = _rpc(app, "evm_snapshot")

    assert vote(bob, pid, "against").status_code == 202
    index_until(app, lambda: tally(proposal(alice, pid)) == (1, 1, 0))
    _, status, raw = _vote_row(app, bob.user_id)
    assert status == "counted"

    assert _rpc(app, "evm_revert", snapshot) is True  # the vote's block is orphaned
    _rpc(app, "anvil_mine", hex(3))
    index_until(app, lambda: tally(proposal(alice, pid)) == (1, 0, 0))
    assert _vote_row(app, bob.user_id)[1] == "pending"
    chain = on_chain(app, chain_id)
    assert (chain.votes_for, chain.votes_against) == (1, 0)

    _rpc(app, "eth_sendRawTransaction", "0x" + bytes(raw).hex())  # mined again
    index_until(app, lambda: tally(proposal(alice, pid)) == (1, 1, 0))
    assert _vote_row(app, bob.user_id)[1] == "counted"
    chain = on_chain(app, chain_id)
    assert (chain.votes_for, chain.votes_against, chain.votes_abstain) == (1, 1, 0)
    with app.extensions["platform"].db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT reorgs FROM chain_checkpoints")).scalar_one() >= 1
