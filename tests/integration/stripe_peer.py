"""A Stripe-like HTTP peer on loopback: the few endpoints of Stripe's API the stripe
adapter uses, answered the way Stripe answers them, for the official `stripe` library to
talk to over real HTTP (`base_addresses={"api": peer.url}`).

- `POST /v1/payment_intents` (form-encoded, `Idempotency-Key` honoured, bearer secret key
  checked), `GET /v1/payment_intents/{id}`, `POST /v1/payment_intents/{id}/confirm`,
  `POST /v1/refunds`, `GET /v1/refunds/{id}`.
- Stripe's test payment methods: `pm_card_visa` succeeds; `pm_card_chargeDeclined`
  (`card_declined`) and `pm_card_insufficientFunds` (`card_declined`, decline code
  `insufficient_funds`) answer 402 with a `card_error` and leave the intent
  `requires_payment_method`; `pm_card_threeDSecureRequired` leaves it `requires_action`
  with a `redirect_to_url` to this peer's authentication page, where `approve` or `deny`
  decides it.
- Every outcome is an event (`payment_intent.succeeded`, `payment_intent.payment_failed`,
  `refund.created`, ...) signed as Stripe signs webhooks (`Stripe-Signature:
  t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the webhook secret). The
  peer POSTs it to `webhook_url` when one is set, else keeps it in `pending` for the test
  to hand over.

State lives in memory: it is a provider double for tests, not a product."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse
from urllib.request import Request, urlopen

import pytest

API_KEY = "sk_test_peer_0123456789"
WEBHOOK_SECRET = "whsec_peer_0123456789"

DECLINES = {
    "pm_card_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_insufficientFunds": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
}
THREE_D_SECURE = "pm_card_threeDSecureRequired"


def form_to_dict(body: str) -> dict[str, Any]:
    """Stripe's form encoding (`metadata[order_id]=x`) back into nested dicts."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def sign(payload: bytes, secret: str, at: int | None = None) -> str:
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


@dataclass
class StripePeer:
    webhook_url: str | None = None
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: list[tuple[bytes, str]] = field(default_factory=list)  # (body, Stripe-Signature)
    sent: list[bytes] = field(default_factory=list)  # the bodies posted to webhook_url
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    _replies: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    # --- the API ----------------------------------------------------------------------

    def handle(self, method: str, path: str, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["v1", "payment_intents"]:
            return self._intents(method, parts[2:], form)
        if parts[:2] == ["v1", "refunds"]:
            if method == "POST" and len(parts) == 2:
                return self._refund(form)
            refund = self.refunds.get(parts[2]) if len(parts) > 2 else None
            return (200, refund) if refund is not None and method == "GET" else _missing("refund")
        return 404, {"error": {"type": "invalid_request_error", "message": f"no {path}"}}

    def _intents(
        self, method: str, rest: list[str], form: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if method == "POST" and not rest:
            return self._create_intent(form)
        intent = self.intents.get(rest[0]) if rest else None
        if intent is None:
            return _missing("payment_intent")
        if method == "POST" and rest[1:] == ["confirm"]:
            if "payment_method" in form:
                intent["payment_method"] = form["payment_method"]
            return self._confirm(intent)
        return (200, intent) if method == "GET" and len(rest) == 1 else _missing("endpoint")

    def _create_intent(self, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            amount = int(form["amount"])
        except (KeyError, ValueError):
            return _invalid("amount", "a positive integer in the currency's minor unit")
        if amount <= 0 or not form.get("currency"):
            return _invalid("amount", "a positive amount and a currency")
        intent: dict[str, Any] = {
            "id": f"pi_{secrets.token_hex(12)}",
            "object": "payment_intent",
            "amount": amount,
            "amount_received": 0,
            "currency": str(form["currency"]).lower(),
            "status": "requires_payment_method",
            "payment_method": form.get("payment_method"),
            "metadata": form.get("metadata", {}),
            "return_url": form.get("return_url"),
            "next_action": None,
            "last_payment_error": None,
            "latest_charge": None,
            "created": int(time.time()),
            "livemode": False,
        }
        self.intents[intent["id"]] = intent
        if intent["payment_method"]:
            intent["status"] = "requires_confirmation"
        if form.get("confirm") == "true":
            return self._confirm(intent)
        return 200, intent

    def _confirm(self, intent: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        method = intent.get("payment_method")
        if intent["status"] == "succeeded":
            return 400, _error("payment_intent_unexpected_state", "already succeeded", intent)
        if method in DECLINES:
            code, decline, message = DECLINES[method]
            self._fail(intent, code, message, decline)
            return 402, {
                "error": {
                    "type": "card_error",
                    "code": code,
                    "decline_code": decline,
                    "message": message,
                    "payment_intent": intent,
                }
            }
        if method == THREE_D_SECURE:
            intent["status"] = "requires_action"
            intent["next_action"] = {
                "type": "redirect_to_url",
                "redirect_to_url": {
                    "url": f"{self.url}/3ds/{intent['id']}",
                    "return_url": intent.get("return_url"),
                },
            }
            self._event("payment_intent.requires_action", intent)
            return 200, intent
        self._succeed(intent)
        return 200, intent

    def authenticate(self, intent_id: str, approve: bool) -> None:
        """The payer's answer on the 3-D Secure page."""
        intent = self.intents[intent_id]
        intent["next_action"] = None
        if approve:
            self._succeed(intent)
        else:
            self._fail(
                intent,
                "payment_intent_authentication_failure",
                "The payer did not authenticate the payment.",
                None,
            )

    def _succeed(self, intent: dict[str, Any]) -> None:
        intent["status"] = "succeeded"
        intent["amount_received"] = intent["amount"]
        intent["latest_charge"] = f"ch_{secrets.token_hex(12)}"
        intent["last_payment_error"] = None
        self._event("payment_intent.succeeded", intent)

    def _fail(self, intent: dict[str, Any], code: str, message: str, decline: str | None) -> None:
        intent["status"] = "requires_payment_method"
        intent["last_payment_error"] = {
            "type": "card_error",
            "code": code,
            "decline_code": decline,
            "message": message,
        }
        self._event("payment_intent.payment_failed", intent)

    def _refund(self, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        intent = self.intents.get(str(form.get("payment_intent")))
        if intent is None or intent["status"] != "succeeded":
            return _missing("payment_intent")
        refunded = sum(
            r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent["id"]
        )
        amount = int(form.get("amount", intent["amount"] - refunded))
        if amount <= 0 or refunded + amount > intent["amount"]:
            return _invalid("amount", "more than what is left to refund")
        refund = {
            "id": f"re_{secrets.token_hex(12)}",
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "charge": intent["latest_charge"],
            "status": "succeeded",
            "metadata": form.get("metadata", {}),
            "created": int(time.time()),
        }
        self.refunds[refund["id"]] = refund
        self._event("refund.created", refund)
        return 200, refund

    # --- webhooks ---------------------------------------------------------------------

    def _event(self, kind: str, obj: dict[str, Any]) -> None:
        event = {
            "id": f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "type": kind,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": json.loads(json.dumps(obj))},
        }
        body = json.dumps(event).encode()
        signature = sign(body, WEBHOOK_SECRET)
        if self.webhook_url is None:
            self.pending.append((body, signature))
            return
        self.sent.append(body)
        request = Request(  # noqa: S310 (loopback http)
            self.webhook_url,
            data=body,
            headers={"Content-Type": "application/json", "Stripe-Signature": signature},
            method="POST",
        )
        threading.Thread(target=_post_quietly, args=(request,), daemon=True).start()

    def take_events(self) -> list[tuple[bytes, str]]:
        with self._lock:
            taken, self.pending = self.pending, []
        return taken

    # --- the HTTP side ----------------------------------------------------------------

    def reply_for(self, key: str | None, method: str, path: str, form: dict[str, Any]) -> Any:
        with self._lock:
            if key and key in self._replies:
                return self._replies[key]
            reply = self.handle(method, path, form)
            if key:
                self._replies[key] = reply
            return reply

    def start(self, port: int = 0) -> StripePeer:
        """Serve on `port` (0: any free one); started again after `stop`, on the same
        port, the peer keeps what it knew, as a provider back from an outage would."""
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return

            def _answer(self, status: int, body: Any, content_type: str) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{secrets.token_hex(8)}")
                self.end_headers()
                self.wfile.write(data)

            def _serve(self, method: str) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                peer.requests.append((method, url.path))
                if url.path.startswith("/3ds/"):
                    self._three_d_secure(method, url.path, raw)
                    return
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    self._answer(
                        401, _error("api_key_invalid", "Invalid API Key"), "application/json"
                    )
                    return
                form = form_to_dict(url.query if method == "GET" else raw)
                key = self.headers.get("Idempotency-Key")
                status, body = peer.reply_for(key, method, url.path, form)
                self._answer(status, body, "application/json")

            def _three_d_secure(self, method: str, path: str, raw: str) -> None:
                intent_id = path.split("/")[2]
                if intent_id not in peer.intents:
                    self._answer(404, b"no such payment", "text/plain")
                    return
                if method == "GET":
                    page = (
                        "<!doctype html><title>3-D Secure</title><form method=post>"
                        "<button name=outcome value=approve>Approve</button>"
                        "<button name=outcome value=deny>Deny</button></form>"
                    )
                    self._answer(200, page.encode(), "text/html")
                    return
                outcome = dict(parse_qsl(raw)).get("outcome")
                with peer._lock:
                    peer.authenticate(intent_id, outcome == "approve")
                self._answer(200, b"done", "text/plain")

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> int:
        """Stop answering (connections are refused); returns the port it served on."""
        assert self.server is not None
        port = int(self.server.server_address[1])
        self.server.shutdown()
        self.server.server_close()
        return port


def _post_quietly(request: Request) -> None:
    try:
        with urlopen(request, timeout=10):  # noqa: S310 (loopback http)
            pass
    except OSError:
        pass  # the platform was down: Stripe would retry; tests hand events over


def _error(code: str, message: str, intent: dict[str, Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": "invalid_request_error", "code": code, "message": message}
    if intent is not None:
        error["payment_intent"] = intent
    return {"error": error}


def _missing(kind: str) -> tuple[int, dict[str, Any]]:
    return 404, _error("resource_missing", f"No such {kind}")


def _invalid(param: str, message: str) -> tuple[int, dict[str, Any]]:
    body = _error("parameter_invalid_integer", message)
    body["error"]["param"] = param
    return 400, body


@pytest.fixture
def stripe_peer() -> Iterator[StripePeer]:
    peer = StripePeer().start()
    try:
        yield peer
    finally:
        with contextlib.suppress(OSError, AssertionError):
            peer.stop()
