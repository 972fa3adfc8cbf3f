"""The governance flow through HTTP, on whichever chain the app runs: members propose and
vote, the indexer brings the chain's events back, the close sweep runs on an injected
clock, and the chain's own record of the proposal is read to compare tallies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from app.adapters.chain.governance import OnChainProposal, read_proposal
from app.domain.governance.jobs import close_due
from tests.fakes.clock import FakeClock
from tests.integration.identity import Caller, signed_in, wait_for

PROPOSALS = "/api/v1/governance/proposals"


def member(app: Any, client: Any, name: str) -> Caller:
    return signed_in(app, client, f"{name}@governance.test", roles=("governance_member",))


def index_until(app: Any, predicate: Callable[[], Any], timeout: float = 60.0) -> Any:
    platform = app.extensions["platform"]

    def step() -> Any:
        platform.index_step()
        return predicate()

    return wait_for(step, timeout=timeout, interval=0.05)


def proposal(caller: Caller, proposal_id: str) -> dict[str, Any]:
    got = caller.get(f"{PROPOSALS}/{proposal_id}")
    assert got.status_code == 200, got.get_json()
    body: dict[str, Any] = got.get_json()
    return body


def propose(app: Any, caller: Caller, title: str = "Lower the fee to 2%") -> dict[str, Any]:
    """A proposal made through HTTP (202, pending) and indexed until it is active."""
    created = caller.post(
        PROPOSALS, json={"title": title, "description": "From 3% to 2%.", "voting_hours": 1}
    )
    assert created.status_code == 202, created.get_json()
    body = created.get_json()
    assert body["status"] == "pending"
    index_until(app, lambda: proposal(caller, body["id"])["status"] == "active")
    return proposal(caller, body["id"])


def vote(caller: Caller, proposal_id: str, support: str) -> Any:
    return caller.post(f"{PROPOSALS}/{proposal_id}/votes", json={"support": support})


def tally(body: dict[str, Any]) -> tuple[int, int, int]:
    return body["votes_for"], body["votes_against"], body["votes_abstain"]


def on_chain(app: Any, chain_proposal_id: int) -> OnChainProposal:
    chain = app.extensions["platform"].chain
    return read_proposal(chain.writer.w3, chain.deployment.governance_address, chain_proposal_id)


def close_at(app: Any, at: datetime) -> int:
    """The close sweep with its clock at `at`."""
    platform = app.extensions["platform"]
    return close_due(uow=platform.uow(), clock=FakeClock(at))


def ends_at(body: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(body["voting_ends_at"])


def passed_and_executed(
    app: Any, client: Any, warp: Callable[[int], None]
) -> tuple[Caller, dict[str, Any]]:
    """Three members (quorum 2): pending -> active -> two votes (a second one of the same
    member is a 409) -> the tally equal to the contract's -> passed -> executed."""
    alice, bob, _carol = (member(app, client, n) for n in ("alice", "bob", "carol"))
    body = propose(app, alice)
    assert body["quorum"] == 2
    assert body["chain_proposal_id"] is not None
    assert body["tx_hash"].startswith("0x")
    pid = body["id"]

    assert vote(alice, pid, "for").status_code == 202
    cast = vote(bob, pid, "abstain")
    assert cast.status_code == 202, cast.get_json()
    again = vote(bob, pid, "against")
    assert again.status_code == 409
    assert again.content_type == "application/problem+json"
    assert again.get_json()["code"] == "already_voted"

    index_until(app, lambda: tally(proposal(alice, pid)) == (1, 0, 1))
    chain = on_chain(app, body["chain_proposal_id"])
    assert (chain.votes_for, chain.votes_against, chain.votes_abstain) == (1, 0, 1)
    assert chain.quorum == 2

    ends = ends_at(body)
    assert close_at(app, ends - timedelta(seconds=1)) == 0
    warp(int(ends.timestamp()) + 2)  # the chain's clock past the voting end too
    assert close_at(app, ends + timedelta(seconds=1)) == 1
    assert proposal(alice, pid)["status"] == "passed"
    index_until(app, lambda: proposal(alice, pid)["status"] == "executed")
    assert on_chain(app, body["chain_proposal_id"]).executed
    return alice, proposal(alice, pid)
