"""Project documents: encrypted uploads, versions, signed download links, access log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from flask import Response, request

from app.domain.documents import downloads, services
from app.domain.documents.downloads import DownloadLink
from app.domain.documents.model import AccessEntry, DocumentKind, Visibility
from app.domain.documents.services import DocumentView
from app.domain.documents.visibility import change_visibility
from app.domain.shared.errors import InvalidValue
from app.http.common.auth import authenticate, current_principal, public, requires
from app.http.common.deps import platform, uow
from app.http.common.multipart import LOCATION as FORM_AND_FILES
from app.http.common.multipart import MultipartBlueprint
from app.http.common.openapi import rule_codes
from app.http.common.pagination import Page, paginated
from app.http.documents import schemas as s

blp = MultipartBlueprint("documents", __name__, description="Project documents (encrypted at rest)")


@blp.route("/projects/<project_id>/documents", methods=["POST"])
@requires("documents:upload")
@rule_codes("unsupported_content", "empty_file", "kind_mismatch", "visibility_mismatch")
@blp.arguments(s.UploadFormSchema, location=FORM_AND_FILES)
@blp.response(201, s.DocumentSchema)
def upload(form: dict[str, Any], project_id: str) -> DocumentView:
    """Upload a document (multipart `file`, `kind`, optional `visibility` and
    `document_id`); its type is read from its content, it is encrypted before storage,
    and its SHA-256 returned."""
    p = platform()
    file = form["file"]
    data = file.read()
    if not data:
        raise InvalidValue("the file is empty", code="empty_file", errors={"file": ["empty"]})
    return services.upload_document(
        current_principal(),
        project_id,
        kind=DocumentKind(form["kind"]),
        filename=file.filename,
        data=data,
        document_id=form["document_id"],
        uow=uow(),
        storage=p.storage,
        clock=p.clock,
        ip=request.remote_addr,
        visibility=Visibility(form["visibility"]) if "visibility" in form else None,
    )


@blp.route("/projects/<project_id>/documents", methods=["GET"])
@public
@blp.response(200, s.DocumentSchema(many=True))
@paginated(blp)
def list_documents(project_id: str, page: Page) -> tuple[Sequence[DocumentView], int]:
    """The project's documents (current versions)."""
    return page.of(services.list_documents(authenticate(), project_id, uow=uow()))


@blp.route("/documents/<document_id>", methods=["GET"])
@public
@blp.response(200, s.DocumentSchema)
def get_document(document_id: str) -> DocumentView:
    """A document's current version."""
    return services.get_document(authenticate(), document_id, uow=uow())


@blp.route("/documents/<document_id>", methods=["PATCH"])
@requires("documents:upload")
@blp.arguments(s.VisibilityChangeSchema)
@blp.response(200, s.DocumentSchema)
@blp.alt_response(409, description="The project's status keeps its documents' visibility")
def change_document_visibility(body: dict[str, Any], document_id: str) -> DocumentView:
    """Change who reads a document (its project's issuers while the project's details or
    metadata may change; platform admins at any time)."""
    return change_visibility(
        current_principal(),
        document_id,
        Visibility(body["visibility"]),
        uow=uow(),
        clock=platform().clock,
    )


@blp.route("/documents/<document_id>/versions", methods=["GET"])
@public
@blp.response(200, s.DocumentSchema(many=True))
@paginated(blp)
def versions(document_id: str, page: Page) -> tuple[Sequence[DocumentView], int]:
    """Every version of a document."""
    return page.of(services.list_versions(authenticate(), document_id, uow=uow()))


@blp.route("/documents/<document_id>/download-link", methods=["POST"])
@requires("documents:read")
@blp.arguments(s.LinkRequestSchema)
@blp.response(200, s.LinkSchema)
def download_link(body: dict[str, Any], document_id: str) -> dict[str, Any]:
    """A link valid for 10 minutes that serves the decrypted file (to anyone holding it)."""
    p = platform()
    link = downloads.create_download_link(
        current_principal(),
        document_id,
        version=body["version"],
        uow=uow(),
        link_key=p.storage.link_key,
        clock=p.clock,
        ip=request.remote_addr,
    )
    query = (
        f"version={link.version}&expires={link.expires}&actor={link.actor_id}"
        f"&signature={link.signature}"
    )
    url = f"{p.settings.public_base_url}/api/v1/documents/{document_id}/content?{query}"
    return {"url": url, "expires_at": link.expires_at}


@blp.route("/documents/<document_id>/content", methods=["GET"])
@public
@blp.arguments(s.ContentArgs, location="query")
@blp.alt_response(403, description="Altered or expired link")
def content(args: dict[str, Any], document_id: str) -> Response:
    """The plaintext file behind a signed link."""
    p = platform()
    link = DownloadLink(
        document_id, args["version"], args["expires"], args["actor"], args["signature"]
    )
    found = downloads.download(
        link, uow=uow(), storage=p.storage, clock=p.clock, ip=request.remote_addr
    )
    response = Response(found.data, mimetype=found.content_type)
    response.headers["Content-Disposition"] = _attachment(found.filename)
    response.headers["Digest"] = f"sha-256={found.sha256}"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _attachment(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@blp.route("/documents/<document_id>/access-log", methods=["GET"])
@requires("documents:read")
@blp.response(200, s.AccessSchema(many=True))
@paginated(blp)
def access_log(document_id: str, page: Page) -> tuple[Sequence[AccessEntry], int]:
    """Every upload, link and download of the document, oldest first."""
    return downloads.access_log(
        current_principal(), document_id, offset=page.offset, limit=page.limit, uow=uow()
    )
