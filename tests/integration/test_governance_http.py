"""Governance through HTTP on the embedded chain: the whole life of a proposal, who may
propose, vote and read, the list, and the members' notification."""

from __future__ import annotations

from typing import Any

from tests.integration.governance_support import (
    PROPOSALS,
    member,
    passed_and_executed,
    propose,
    vote,
)
from tests.integration.identity import signed_in
from tests.integration.notification_support import in_app, jobs_done


def _warp(app: Any):
    def warp(timestamp: int) -> None:
        app.extensions["platform"].chain.embedded.time_travel(timestamp)

    return warp


def test_a_proposal_is_voted_passed_and_executed_with_the_chain_tally(app, client):
    _, body = passed_and_executed(app, client, _warp(app))
    assert body["status"] == "executed"
    assert (body["votes_for"], body["votes_against"], body["votes_abstain"]) == (1, 0, 1)


def test_only_members_and_admins_propose_and_vote_and_read(app, client):
    retail = signed_in(app, client, "retail@governance.test")
    admin = signed_in(app, client, "admin@governance.test", roles=("platform_admin",))
    body = {"title": "t", "description": "d"}

    assert retail.post(PROPOSALS, json=body).status_code == 403
    assert retail.get(PROPOSALS).status_code == 403
    assert client.get(PROPOSALS).status_code == 401
    made = admin.post(PROPOSALS, json=body)
    assert made.status_code == 202
    assert made.get_json()["proposer_id"] == admin.user_id
    assert vote(retail, made.get_json()["id"], "for").status_code == 403


def test_a_pending_proposal_takes_no_vote_and_an_unknown_one_is_not_found(app, client):
    alice = member(app, client, "alice")
    made = alice.post(PROPOSALS, json={"title": "t", "description": "d"}).get_json()

    refused = vote(alice, made["id"], "for")
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "voting_closed"
    assert alice.get(f"{PROPOSALS}/nope").status_code == 404
    assert vote(alice, "nope", "for").status_code == 404


def test_proposals_are_listed_newest_first_and_paginated(app, client):
    alice = member(app, client, "alice")
    ids = [
        alice.post(PROPOSALS, json={"title": f"p{i}", "description": "d"}).get_json()["id"]
        for i in range(3)
    ]

    page = alice.get(f"{PROPOSALS}?page=1&page_size=2")
    assert page.status_code == 200
    assert [p["id"] for p in page.get_json()] == ids[::-1][:2]
    assert '"total": 3' in page.headers["X-Pagination"]


def test_an_active_proposal_is_notified_to_the_governance_members(app, client):
    alice, bob = member(app, client, "alice"), member(app, client, "bob")
    body = propose(app, alice, "Admit a new verifier")
    jobs_done(app)

    for caller in (alice, bob):
        [note] = [n for n in in_app(caller) if n["trigger"] == "governance_proposal_created"]
        assert note["title"] == "New governance proposal: Admit a new verifier"
        assert note["link"].endswith(f"/api/v1/governance/proposals/{body['id']}")
