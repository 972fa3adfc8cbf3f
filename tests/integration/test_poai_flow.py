"""PoAI end to end through HTTP: submission opens a case, review with automated and
manual checks, changes requested and resubmitted, approval with a signed proof bundle
that anyone can verify, and the project registered on chain by the indexer."""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime

from app.adapters.crypto.ed25519 import Ed25519BundleSigner, generate_signing_key
from app.domain.auth import organizations as org_service
from app.domain.auth.permissions import OrgRole
from app.domain.auth.sessions import principal_of
from app.domain.poai import services
from app.domain.poai.bundle import build_bundle, sign_bundle
from app.domain.poai.model import CaseStatus
from app.domain.poai.proofs import signed_bundle_hash
from app.main.cli.poai import poai_verify
from tests.integration.identity import signed_in, wait_for
from tests.integration.test_projects_http import BODY, _issuer

PDF = b"%PDF-1.7\nproject design document\n%%EOF\n"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
PROJECT = {**BODY, "latitude": "-23.55", "longitude": "-46.63", "vintages": [2023, 2024]}


def _upload(
    caller, pid: str, *, kind: str = "project_design", data: bytes = PDF, name: str = "design.pdf"
) -> str:
    response = caller.client.post(
        f"/api/v1/projects/{pid}/documents",
        headers=caller.headers,
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def _case_of(caller, pid: str) -> dict:
    def found():
        cases = [c for c in caller.get("/api/v1/poai/cases").get_json() if c["project_id"] == pid]
        return cases[0] if cases else None

    return wait_for(found)


def _checks(caller, case_id: str, round_: int) -> dict[str, dict]:
    rows = caller.get(f"/api/v1/poai/cases/{case_id}/checks").get_json()
    return {c["name"]: c for c in rows if c["round"] == round_}


def _automated_done(caller, case_id: str, round_: int) -> dict[str, dict]:
    def done():
        checks = _checks(caller, case_id, round_)
        automated = [c for c in checks.values() if c["mode"] == "automated"]
        return checks if automated and all(c["result"] != "pending" for c in automated) else None

    return wait_for(done)


def _pass_manual(
    reviewer, checks: dict[str, dict], doc_id: str, *, fail: str | None = None
) -> None:
    for check in checks.values():
        if check["mode"] != "manual":
            continue
        result = "fail" if check["name"] == fail else "pass"
        response = reviewer.patch(
            f"/api/v1/poai/checks/{check['id']}",
            json={"result": result, "notes": "reviewed", "evidence_document_ids": [doc_id]},
        )
        assert response.status_code == 200, response.get_json()


def _proof_of(caller, case_id: str) -> dict:
    def ready():
        response = caller.get(f"/api/v1/poai/cases/{case_id}/proof")
        return response.get_json() if response.status_code == 200 else None

    return wait_for(ready)


def _in_review(app, client, project: dict) -> tuple:
    """A submitted project whose case is in review with its automated checks run."""
    issuer = _issuer(app, client)
    admin = signed_in(app, client, "admin@example.org", roles=("platform_admin",))
    reviewer = signed_in(app, client, "reviewer@example.org", roles=("poai_reviewer",))
    pid = issuer.post("/api/v1/projects", json=project).get_json()["id"]
    doc_id = _upload(issuer, pid)
    submitted = issuer.post(f"/api/v1/projects/{pid}/transitions", json={"to": "submitted"})
    assert submitted.status_code == 200, submitted.get_json()
    case = _case_of(issuer, pid)
    admin.post(
        f"/api/v1/poai/cases/{case['id']}/assignments", json={"reviewer_id": reviewer.user_id}
    )
    _pass_manual(reviewer, _automated_done(reviewer, case["id"], 1), doc_id)
    return issuer, admin, reviewer, pid, case["id"]


def approved_with_proof(app, client, project: dict = PROJECT) -> tuple:
    """A project approved through its PoAI case, with its signed proof issued (what
    registering it on chain and minting its credits wait for): issuer, admin, project
    id and the proof as served."""
    issuer, admin, reviewer, pid, case_id = _in_review(app, client, project)
    approved = reviewer.post(f"/api/v1/poai/cases/{case_id}/decision", json={"decision": "approve"})
    assert approved.status_code == 200, approved.get_json()
    return issuer, admin, pid, _proof_of(issuer, case_id)


def _stored_bundle_hash(app, pid: str) -> bytes | None:
    platform = app.extensions["platform"]
    with platform.uow() as unit:
        return signed_bundle_hash(pid, uow=unit)


def test_a_project_without_methodology_is_not_submitted(app, client):
    issuer = _issuer(app, client)
    pid = issuer.post("/api/v1/projects", json={**PROJECT, "methodology": ""}).get_json()["id"]
    _upload(issuer, pid)
    refused = issuer.post(f"/api/v1/projects/{pid}/transitions", json={"to": "submitted"})
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["code"] == "project_incomplete"
    assert "methodology" in problem["detail"]
    assert list(problem["errors"]) == ["methodology"]
    assert issuer.get(f"/api/v1/projects/{pid}").get_json()["status"] == "draft"


def test_a_project_without_methodology_is_not_approved(app, client):
    issuer, admin, reviewer, pid, case_id = _in_review(app, client, PROJECT)
    platform = app.extensions["platform"]
    with platform.uow() as unit:  # as a project submitted before the rule would be
        project = unit.projects.get_for_update(pid)
        project.methodology = ""
        unit.projects.save(project)
        unit.commit()

    refused = reviewer.post(f"/api/v1/poai/cases/{case_id}/decision", json={"decision": "approve"})
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["code"] == "project_incomplete"
    assert "methodology" in problem["detail"]
    assert "methodology" in problem["errors"]
    assert reviewer.get(f"/api/v1/poai/cases/{case_id}").get_json()["status"] == "in_review"
    assert issuer.get(f"/api/v1/projects/{pid}").get_json()["status"] == "under_review"
    assert issuer.get(f"/api/v1/poai/cases/{case_id}/proof").get_json()["code"] == "no_proof"
    assert _stored_bundle_hash(app, pid) is None
    bare = admin.post(f"/api/v1/projects/{pid}/transitions", json={"to": "approved"})
    assert bare.status_code == 403  # approval is the case's decision, never a bare step

    changes = reviewer.post(
        f"/api/v1/poai/cases/{case_id}/decision",
        json={"decision": "request_changes", "reason": "name the methodology"},
    )
    assert changes.get_json()["status"] == "changes_requested"


def test_every_approval_gets_its_signed_proof(app, client):
    _, _, pid, proof = approved_with_proof(app, client, {**PROJECT, "standard": "", "region": ""})
    assert proof["bundle"]["project"]["standard"] is None
    assert proof["bundle"]["project"]["region"] is None
    assert _stored_bundle_hash(app, pid) == bytes.fromhex(proof["hashes"]["bundle"])


def test_the_full_review_flow(app, client):
    issuer = _issuer(app, client)
    admin = signed_in(app, client, "admin@example.org", roles=("platform_admin",))
    reviewer = signed_in(app, client, "reviewer@example.org", roles=("poai_reviewer",))
    pid = issuer.post("/api/v1/projects", json=PROJECT).get_json()["id"]
    doc_id = _upload(issuer, pid)
    assert (
        issuer.post(f"/api/v1/projects/{pid}/transitions", json={"to": "submitted"}).status_code
        == 200
    )

    case = _case_of(issuer, pid)
    assert (case["status"], case["round"]) == ("open", 1)
    assigned = admin.post(
        f"/api/v1/poai/cases/{case['id']}/assignments", json={"reviewer_id": reviewer.user_id}
    )
    assert assigned.get_json()["status"] == "in_review"
    assert issuer.get(f"/api/v1/projects/{pid}").get_json()["status"] == "under_review"

    checks = _automated_done(reviewer, case["id"], 1)
    assert {c["result"] for c in checks.values() if c["mode"] == "automated"} == {"pass"}
    assert checks["coordinates_in_country"]["evidence"]["country"] == "BR"
    assert checks["document_hashes_match"]["evidence"]["documents"][0]["match"] is True

    _pass_manual(reviewer, checks, doc_id, fail="monitoring_data_reviewed")
    refused = reviewer.post(
        f"/api/v1/poai/cases/{case['id']}/decision", json={"decision": "approve"}
    )
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "checks_incomplete"
    changes = reviewer.post(
        f"/api/v1/poai/cases/{case['id']}/decision",
        json={"decision": "request_changes", "reason": "monitoring plan lacks sampling design"},
    )
    assert changes.get_json()["status"] == "changes_requested"
    assert issuer.get(f"/api/v1/projects/{pid}").get_json()["status"] == "changes_requested"

    issuer.patch(f"/api/v1/projects/{pid}", json={"description": "Now with a sampling design."})
    assert (
        issuer.post(f"/api/v1/projects/{pid}/transitions", json={"to": "submitted"}).status_code
        == 200
    )
    wait_for(lambda: reviewer.get(f"/api/v1/poai/cases/{case['id']}").get_json()["round"] == 2)
    second = _automated_done(reviewer, case["id"], 2)
    assert len(_checks(reviewer, case["id"], 1)) == len(second)  # round 1 is kept
    _pass_manual(reviewer, second, doc_id)
    approved = reviewer.post(
        f"/api/v1/poai/cases/{case['id']}/decision", json={"decision": "approve"}
    )
    assert approved.get_json()["status"] == "approved"
    assert issuer.get(f"/api/v1/projects/{pid}").get_json()["status"] == "approved"

    def proof_ready():
        response = issuer.get(f"/api/v1/poai/cases/{case['id']}/proof")
        return response.get_json() if response.status_code == 200 else None

    proof = wait_for(proof_ready)
    assert set(proof["hashes"]) == {"asset", "data", "process", "bundle"}
    assert _stored_bundle_hash(app, pid) == bytes.fromhex(proof["hashes"]["bundle"])
    assert (
        reviewer.get(f"/api/v1/poai/cases/{case['id']}").get_json()["bundle_hash"]
        == (proof["hashes"]["bundle"])
    )
    verified = client.post(
        "/api/v1/poai/proofs/verify",
        json={
            "bundle": proof["bundle"],
            "signature": proof["signature"],
            "public_key": proof["public_key"],
        },
    ).get_json()
    assert verified["valid"] is True
    assert verified["hashes"] == proof["hashes"]
    altered = copy.deepcopy(proof["bundle"])
    altered["decision"]["reason"] = "edited"
    tampered = client.post(
        "/api/v1/poai/proofs/verify",
        json={
            "bundle": altered,
            "signature": proof["signature"],
            "public_key": proof["public_key"],
        },
    ).get_json()
    assert tampered["valid"] is False

    platform = app.extensions["platform"]

    def registered():
        platform.index_step()
        return issuer.get(f"/api/v1/projects/{pid}").get_json()["status"] == "registered"

    wait_for(registered, timeout=30)
    history = reviewer.get(f"/api/v1/poai/cases/{case['id']}/history").get_json()
    assert [h["to"] for h in history] == [
        "open",
        "in_review",
        "changes_requested",
        "in_review",
        "approved",
    ]


def test_refusals(app, client):
    issuer = _issuer(app, client)
    admin = signed_in(app, client, "admin@example.org", roles=("platform_admin",))
    reviewer = signed_in(app, client, "reviewer@example.org", roles=("poai_reviewer",))
    outsider = signed_in(app, client, "other-reviewer@example.org", roles=("poai_reviewer",))
    insider = signed_in(app, client, "insider@example.org", roles=("poai_reviewer",))
    platform = app.extensions["platform"]
    org_service.ensure_organization(
        "org-issuer",
        "Issuer Co",
        {insider.user_id: OrgRole.VIEWER},
        uow=platform.uow(),
        clock=platform.clock,
    )
    pid = issuer.post("/api/v1/projects", json=PROJECT).get_json()["id"]
    _upload(issuer, pid)
    issuer.post(f"/api/v1/projects/{pid}/transitions", json={"to": "submitted"})
    case = _case_of(issuer, pid)
    conflict = admin.post(
        f"/api/v1/poai/cases/{case['id']}/assignments", json={"reviewer_id": insider.user_id}
    )
    assert conflict.status_code == 409
    assert conflict.get_json()["code"] == "conflict_of_interest"
    not_reviewer = admin.post(
        f"/api/v1/poai/cases/{case['id']}/assignments", json={"reviewer_id": issuer.user_id}
    )
    assert not_reviewer.status_code == 422
    admin.post(
        f"/api/v1/poai/cases/{case['id']}/assignments", json={"reviewer_id": reviewer.user_id}
    )
    checks = _automated_done(reviewer, case["id"], 1)
    manual = next(c for c in checks.values() if c["mode"] == "manual")
    assert outsider.get(f"/api/v1/poai/cases/{case['id']}").status_code == 404
    assert (
        outsider.patch(f"/api/v1/poai/checks/{manual['id']}", json={"result": "pass"}).status_code
        == 404
    )
    assert (
        outsider.post(
            f"/api/v1/poai/cases/{case['id']}/decision", json={"decision": "approve"}
        ).status_code
        == 404
    )
    automated = next(c for c in checks.values() if c["mode"] == "automated")
    assert (
        reviewer.patch(
            f"/api/v1/poai/checks/{automated['id']}", json={"result": "pass"}
        ).status_code
        == 409
    )
    missing = reviewer.post(
        f"/api/v1/poai/cases/{case['id']}/decision", json={"decision": "approve"}
    )
    assert missing.get_json()["code"] == "checks_incomplete"
    assert (
        issuer.post(
            f"/api/v1/poai/cases/{case['id']}/decision", json={"decision": "approve"}
        ).status_code
        == 403
    )


def test_the_cli_verifies_a_proof_file_offline(app, tmp_path):
    bundle = build_bundle(
        case={"id": "c1", "round": 1},
        project={
            "id": "p1",
            "organization_id": "o1",
            "name": "Mata",
            "country": "BR",
            "vintages": [2024],
            "latitude": "-23.55",
            "longitude": "-46.63",
        },
        checks=[
            {
                "category": "asset",
                "name": "coordinates_in_country",
                "mode": "automated",
                "required": True,
                "result": "pass",
                "notes": None,
                "evidence": [],
            }
        ],
        reviewers=["u1"],
        decision={
            "decision": "approve",
            "reason": None,
            "decided_by": "u1",
            "decided_at": NOW,
        },
        documents=[],
        issued_at=NOW,
    )
    signed = sign_bundle(bundle, app.extensions["platform"].signer)
    good = tmp_path / "proof.json"
    good.write_text(json.dumps(signed))
    runner = app.test_cli_runner()
    ok = runner.invoke(poai_verify, [str(good)])
    assert ok.exit_code == 0, ok.output
    assert '"valid": true' in ok.output
    signed["bundle"]["project"]["name"] = "Forged"
    bad = tmp_path / "forged.json"
    bad.write_text(json.dumps(signed))
    refused = runner.invoke(poai_verify, [str(bad)])
    assert refused.exit_code == 1
    other_key = Ed25519BundleSigner(generate_signing_key()).public_key()
    wrong = runner.invoke(poai_verify, [str(good), "--public-key", other_key])
    assert wrong.exit_code == 1


def test_case_changes_are_published_as_events(app, client):
    issuer = _issuer(app, client)
    admin = signed_in(app, client, "admin@example.org", roles=("platform_admin",))
    reviewer = signed_in(app, client, "reviewer@example.org", roles=("poai_reviewer",))
    pid = issuer.post("/api/v1/projects", json=PROJECT).get_json()["id"]
    _upload(issuer, pid)
    issuer.post(f"/api/v1/projects/{pid}/transitions", json={"to": "submitted"})
    case_id = _case_of(issuer, pid)["id"]
    platform = app.extensions["platform"]
    unit = platform.uow()
    seen: list[str] = []
    publish = unit.publish

    def capture(event):
        seen.append(event.name)
        publish(event)

    unit.publish = capture
    with platform.uow() as reading:
        principal = principal_of(reading.users.get(admin.user_id), {}, None)
    case = services.assign_reviewer(
        principal, case_id, reviewer.user_id, uow=unit, clock=platform.clock
    )
    assert case.status == CaseStatus.IN_REVIEW
    assert "poai.case_status_changed" in seen
    assert "projects.status_changed" in seen  # the project followed the case
