"""The embedded sandbox's 3-D Secure page, where `next_action.url` sends the payer: a
plain HTML form (no script) whose Approve or Deny decides the intent. The outcome then
reaches the platform like any other, as a signed webhook event. Served only when the
sandbox is the payment provider; not part of the API."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for

from app.http.common.deps import platform
from app.ports.payment_gateway import SandboxPages

pages = Blueprint("sandbox_payments", __name__, template_folder="templates")
DECISIONS = {"approve": True, "deny": False}


def _sandbox() -> SandboxPages:
    sandbox = platform().payment_sandbox
    if sandbox is None:
        abort(404)
    return sandbox


@pages.get("/sandbox/payments/<intent_id>/authenticate")
def authenticate_page(intent_id: str) -> tuple[str, int]:
    intent = _sandbox().pending_authentication(intent_id[:64])
    amount = None if intent is None else format(intent.amount.rounded().amount, "f")
    action = url_for("sandbox_payments.decide", intent_id=intent_id[:64])
    html = render_template(
        "sandbox_authenticate.html", intent=intent, amount=amount, action=action, status=None
    )
    return html, 200 if intent is not None else 404


@pages.post("/sandbox/payments/<intent_id>/authenticate")
def decide(intent_id: str) -> tuple[str, int]:
    decision = request.form.get("decision", "")
    if decision not in DECISIONS:
        abort(400)
    status = _sandbox().authenticate(intent_id[:64], approve=DECISIONS[decision])
    if status is None:
        abort(404)
    html = render_template(
        "sandbox_authenticate.html", intent=None, amount=None, action="", status=status
    )
    return html, 200
