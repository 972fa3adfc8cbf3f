"""The embedded sandbox's 3-D Secure page, where `next_action.url` sends the payer: a
plain HTML form (no script) whose Approve or Deny decides the intent. The outcome then
reaches the platform like any other, as a signed webhook event. Served only when the
sandbox is the payment provider; not part of the API.

`POST /sandbox/chain/send` (form fields `to`, `wei`) sends ETH from a pre-funded account
of the embedded chain, the wallet a payer of a crypto payment would use; only with the
embedded chain outside production (404 otherwise)."""

from __future__ import annotations

import re

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


ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
WEI = re.compile(r"[0-9]{1,24}")


@pages.post("/sandbox/chain/send")
def send_coins() -> tuple[dict[str, str], int]:
    to, wei = request.form.get("to", ""), request.form.get("wei", "")
    if not ADDRESS.fullmatch(to) or not WEI.fullmatch(wei) or int(wei) == 0:
        abort(400)
    sent = platform().send_test_coins(to, int(wei))
    if sent is None:
        abort(404)
    return {"transaction_hash": sent, "to": to, "wei": wei}, 200


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
