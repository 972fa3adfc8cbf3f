"""`GET /verify/<certificate_id>`: the page a certificate's QR code opens, its proofs
checked now; `GET /verify` a form where anyone pastes or uploads a certificate's JSON
and `POST /verify` the same page for that document. HTML for people, outside the API (no
script: a form is posted). An unknown certificate is a 404 page; a paste that is not a
certificate's JSON is a 400 page with the form and what is wrong with it."""

from __future__ import annotations

import json
from typing import NoReturn

from flask import Blueprint, request

from app.domain.shared.errors import DomainError, NotFound
from app.domain.shared.json import JSON
from app.http.common.deps import platform
from app.http.common.json_limits import MAX_DEPTH, json_depth
from app.http.verify.view import render_form, render_missing, render_verification

pages = Blueprint("verify", __name__, template_folder="templates")
MAX_PASTED_BYTES = 256 * 1024  # a certificate is a few kilobytes, its provenance included
HTML = {"Content-Type": "text/html; charset=utf-8"}
Page = tuple[str, int, dict[str, str]]


class NotACertificate(ValueError):
    """What a pasted text is not, in a sentence for the person who pasted it."""


@pages.get("/verify/<certificate_id>")
def verify_issued(certificate_id: str) -> Page:
    certificate_id = certificate_id[:100]
    try:
        verification = platform().verify_certificate(certificate_id)
    except NotFound:
        return render_missing(certificate_id), 404, HTML
    return render_verification(verification), 200, HTML


@pages.get("/verify")
def verify_form() -> Page:
    return render_form(), 200, HTML


@pages.post("/verify")
def verify_pasted() -> Page:
    # The form's file field, or a file sent as `document` (`curl -F document=@file`).
    upload = request.files.get("file") or request.files.get("document")
    raw = upload.read(MAX_PASTED_BYTES + 1) if upload and upload.filename else b""
    pasted = raw or request.form.get("document", "").encode()
    shown = pasted[:MAX_PASTED_BYTES].decode(errors="replace")
    try:
        document = parse_certificate(pasted)
        verification = platform().verify_document(document)
    except NotACertificate as exc:
        return render_form(str(exc), shown), 400, HTML
    except DomainError as exc:
        return render_form(f"The certificate cannot be verified: {exc.detail}", shown), 422, HTML
    return render_verification(verification), 200, HTML


def _refuse_number(token: str) -> NoReturn:
    raise NotACertificate(
        f"The JSON holds the number {token[:20]}: a certificate's numbers are integers "
        "(its decimals are strings)."
    )


def parse_certificate(data: bytes) -> dict[str, JSON]:
    """A pasted or uploaded certificate document, or `NotACertificate` saying why not."""
    if not data.strip():
        raise NotACertificate("Paste a certificate's JSON, or choose its file.")
    if len(data) > MAX_PASTED_BYTES:
        raise NotACertificate(f"A certificate's JSON is at most {MAX_PASTED_BYTES} bytes.")
    if json_depth(data) > MAX_DEPTH:
        raise NotACertificate(f"The JSON is nested deeper than {MAX_DEPTH} levels.")
    try:
        document = json.loads(
            data.decode("utf-8-sig"),
            parse_float=_refuse_number,
            parse_constant=_refuse_number,
        )
    except UnicodeDecodeError as exc:
        raise NotACertificate("The file is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise NotACertificate(f"This is not JSON ({exc.msg} at {where}).") from exc
    if not isinstance(document, dict):
        raise NotACertificate("A certificate is a JSON object, between { and }.")
    if document.get("version") != "certificate/1":
        raise NotACertificate(
            'This JSON is not a certificate: its "version" is not "certificate/1".'
        )
    return document
