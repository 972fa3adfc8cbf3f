"""Document visibility through HTTP: a per-kind default chosen at upload, changed by the
project's issuers while allowed; private documents are read only by the project's
organization, its assigned reviewers and platform admins, public ones by everyone who
sees the project."""

from __future__ import annotations

import io

import pytest

from app.domain.auth import organizations as org_service
from app.domain.auth.permissions import OrgRole
from app.domain.projects.model import Status
from tests.integration.identity import signed_in, wait_for
from tests.integration.test_projects_http import BODY, _issuer

PDF = b"%PDF-1.7\nland title of parcel 12, owner Jane Doe\n%%EOF\n"


def _upload(caller, pid: str, kind: str, **form: str):
    return caller.client.post(
        f"/api/v1/projects/{pid}/documents",
        headers=caller.headers,
        data={"kind": kind, "file": (io.BytesIO(PDF), f"{kind}.pdf"), **form},
        content_type="multipart/form-data",
    )


def _set_status(app, pid: str, status: Status) -> None:
    platform = app.extensions["platform"]
    with platform.uow() as unit:
        project = unit.projects.get_for_update(pid)
        project.status = status
        unit.projects.save(project)
        unit.commit()


@pytest.fixture
def project(app, client):
    """A draft with a public design document and a private land title: issuer, project
    id, {kind: document id}."""
    issuer = _issuer(app, client)
    pid = issuer.post("/api/v1/projects", json=BODY).get_json()["id"]
    docs = {
        kind: _upload(issuer, pid, kind).get_json() for kind in ("project_design", "land_title")
    }
    return issuer, pid, {kind: doc["id"] for kind, doc in docs.items()}


def _readable(caller, pid: str, doc_ids: dict[str, str]) -> set[str]:
    """The kinds of the documents the caller lists, checked against what it can open."""
    listed = {d["kind"] for d in caller.get(f"/api/v1/projects/{pid}/documents").get_json()}
    for kind, doc_id in doc_ids.items():
        opened = caller.get(f"/api/v1/documents/{doc_id}").status_code == 200
        versions = caller.get(f"/api/v1/documents/{doc_id}/versions").status_code == 200
        assert opened == versions == (kind in listed), kind
        if caller.headers:
            link = caller.post(f"/api/v1/documents/{doc_id}/download-link", json={})
            assert (link.status_code == 200) == (kind in listed), kind
    return listed


class _Anonymous:
    headers: dict[str, str] = {}

    def __init__(self, client):
        self.client = client

    def get(self, path: str):
        return self.client.get(path)


def test_the_default_follows_the_kind_and_the_owner_may_choose(project):
    issuer, pid, _ = project
    listed = issuer.get(f"/api/v1/projects/{pid}/documents").get_json()
    assert {d["kind"]: d["visibility"] for d in listed} == {
        "project_design": "public",
        "land_title": "private",
    }
    chosen = _upload(issuer, pid, "other", visibility="public")
    assert chosen.status_code == 201, chosen.get_json()
    assert chosen.get_json()["visibility"] == "public"
    assert _upload(issuer, pid, "other", visibility="secret").status_code == 422


def test_private_documents_of_a_registered_project_stay_with_their_readers(app, client, project):
    issuer, pid, docs = project
    _set_status(app, pid, Status.REGISTERED)
    stranger = signed_in(app, client, "stranger@example.org")
    viewer = signed_in(app, client, "viewer@example.org")
    org_service.ensure_organization(
        "org-issuer",
        "Issuer Co",
        {viewer.user_id: OrgRole.VIEWER},
        uow=app.extensions["platform"].uow(),
        clock=app.extensions["platform"].clock,
    )
    admin = signed_in(app, client, "admin@example.org", roles=("platform_admin",))
    reviewer = signed_in(app, client, "reviewer@example.org", roles=("poai_reviewer",))

    assert _readable(_Anonymous(client), pid, docs) == {"project_design"}
    assert _readable(stranger, pid, docs) == {"project_design"}
    assert _readable(reviewer, pid, docs) == {"project_design"}  # not assigned to it
    for insider in (issuer, viewer, admin):
        assert _readable(insider, pid, docs) == {"project_design", "land_title"}


def test_assigned_reviewers_read_private_documents(app, client, project):
    issuer, pid, docs = project
    admin = signed_in(app, client, "admin@example.org", roles=("platform_admin",))
    assigned = signed_in(app, client, "reviewer@example.org", roles=("poai_reviewer",))
    other = signed_in(app, client, "other-reviewer@example.org", roles=("poai_reviewer",))
    submitted = issuer.post(f"/api/v1/projects/{pid}/transitions", json={"to": "submitted"})
    assert submitted.status_code == 200, submitted.get_json()

    def case():
        cases = issuer.get("/api/v1/poai/cases").get_json()
        return next((c for c in cases if c["project_id"] == pid), None)

    case_id = wait_for(case)["id"]
    assigned_now = admin.post(
        f"/api/v1/poai/cases/{case_id}/assignments", json={"reviewer_id": assigned.user_id}
    )
    assert assigned_now.status_code == 200, assigned_now.get_json()
    assert _readable(assigned, pid, docs) == {"project_design", "land_title"}
    assert _readable(other, pid, docs) == {"project_design"}  # sees the project under review
    _set_status(app, pid, Status.REGISTERED)
    assert _readable(assigned, pid, docs) == {"project_design", "land_title"}


def test_the_owner_changes_visibility_while_the_project_allows_it(app, client, project):
    issuer, pid, docs = project
    title = docs["land_title"]
    stranger = signed_in(app, client, "stranger@example.org", roles=("issuer",))
    assert (
        stranger.patch(f"/api/v1/documents/{title}", json={"visibility": "public"}).status_code
        == 404
    )

    published = issuer.patch(f"/api/v1/documents/{title}", json={"visibility": "public"})
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["visibility"] == "public"
    _set_status(app, pid, Status.REGISTERED)
    assert _readable(stranger, pid, docs) == {"project_design", "land_title"}
    withdrawn = issuer.patch(f"/api/v1/documents/{title}", json={"visibility": "private"})
    assert withdrawn.get_json()["visibility"] == "private"
    assert _readable(stranger, pid, docs) == {"project_design"}

    viewer = signed_in(app, client, "viewer@example.org", roles=("issuer",))
    org_service.ensure_organization(
        "org-issuer",
        "Issuer Co",
        {viewer.user_id: OrgRole.VIEWER},
        uow=app.extensions["platform"].uow(),
        clock=app.extensions["platform"].clock,
    )
    refused = viewer.patch(f"/api/v1/documents/{title}", json={"visibility": "public"})
    assert refused.status_code == 403

    _set_status(app, pid, Status.UNDER_REVIEW)
    locked = issuer.patch(f"/api/v1/documents/{title}", json={"visibility": "public"})
    assert locked.status_code == 409
    assert locked.get_json()["code"] == "project_locked"
    admin = signed_in(app, client, "admin@example.org", roles=("platform_admin",))
    assert (
        admin.patch(f"/api/v1/documents/{title}", json={"visibility": "public"}).status_code == 200
    )
    assert (
        issuer.patch(f"/api/v1/documents/{title}", json={"visibility": "nobody"}).status_code == 422
    )

    entries = admin.get(f"/api/v1/audit-logs?entity_id={title}").get_json()
    actions = [e["action"] for e in entries]
    assert actions.count("document.visibility_changed") == 3


def test_a_new_version_keeps_the_documents_visibility(project):
    issuer, pid, docs = project
    title = docs["land_title"]
    same = _upload(issuer, pid, "land_title", document_id=title, visibility="private")
    assert same.status_code == 201, same.get_json()
    assert (same.get_json()["version"], same.get_json()["visibility"]) == (2, "private")
    other = _upload(issuer, pid, "land_title", document_id=title, visibility="public")
    assert other.status_code == 409
    assert other.get_json()["code"] == "visibility_mismatch"


def test_the_openapi_document_describes_the_upload_form_and_visibility(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    upload = spec["paths"]["/api/v1/projects/{project_id}/documents"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    if "$ref" in form:
        form = spec["components"]["schemas"][form["$ref"].rsplit("/", 1)[-1]]
    assert set(form["properties"]) == {"file", "kind", "document_id", "visibility"}
    assert form["properties"]["visibility"]["enum"] == ["public", "private"]
    assert "visibility" not in form["required"]
    document = spec["components"]["schemas"]["Document"]["properties"]["visibility"]
    assert document["enum"] == ["public", "private"]
    change = spec["paths"]["/api/v1/documents/{document_id}"]["patch"]
    assert "application/json" in change["requestBody"]["content"]
