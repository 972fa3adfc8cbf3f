"""Notifications through a real SMTP server on loopback: every wired trigger of a whole
flow (a project reviewed, approved, registered and minted; a purchase; a retirement)
mails each recipient once and lists it once in the app; an SMTP server that is down
gets the mail later, once; SMS goes out as a signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.domain.auth.permissions import OrgRole
from tests.integration.identity import signed_in, wait_for
from tests.integration.market_support import minted_market, organization
from tests.integration.notification_support import (
    PREFS,
    ShiftedClock,
    deliveries,
    in_app,
    jobs_done,
    notification_mails,
    publish,
    status_changed,
)
from tests.integration.smtp_server import SmtpTestServer, free_port, smtp_server  # noqa: F401

RETIRE = {"vintage": 2024, "quantity": "5", "beneficiary": "Acme Ltd", "purpose": "2025 scope 1"}


def _sent_emails(app) -> int:
    return sum(1 for d in deliveries(app) if d.channel == "email" and d.status == "sent")


def test_each_wired_trigger_mails_and_lists_once_per_recipient(
    make_app,
    smtp_server,  # noqa: F811
):
    app = make_app(smtp_host="127.0.0.1", smtp_port=smtp_server.port)
    client = app.test_client()
    market = minted_market(app, client)
    buyer = market.buyer()
    listing = market.listing("10")
    order = market.order(buyer, market.quote(buyer, listing["id"], "2")["id"])
    paid = market.pay(buyer, order["id"])
    assert paid.get_json()["status"] == "succeeded", paid.get_json()
    issuer = market.issuer
    retired = issuer.post(
        "/api/v1/retirements",
        json={**RETIRE, "project_id": market.project_id, "organization_id": "org-issuer"},
    )
    assert retired.status_code == 202, retired.get_json()
    url = f"/api/v1/retirements/{retired.get_json()['id']}"
    market.index_until(lambda: issuer.get(url).get_json()["status"] == "confirmed")
    jobs_done(app)
    mails = wait_for(
        lambda: (m := notification_mails(smtp_server.messages)).total() == _sent_emails(app) and m
    )

    assert set(mails.values()) == {1}, mails
    reviewer = signed_in(app, client, "reviewer@example.org", roles=("poai_reviewer",))
    for caller in (issuer, buyer, reviewer):
        listed = sorted(n["title"] for n in in_app(caller))
        assert listed == sorted(s for to, s in mails if to == caller.email), caller.email
    subjects = {to: {s for t, s in mails if t == to} for to, _ in mails}
    name = client.get(f"/api/v1/projects/{market.project_id}").get_json()["name"]
    assert {
        f"Project {name} is now submitted",
        f"Project {name} is now approved",
        f"Project {name} is now registered",
        f"PoAI review of {name}: approved",
        "Your retirement is confirmed on chain",
    } <= subjects[issuer.email]
    assert f"PoAI review of {name}: approved" in subjects[reviewer.email]
    assert subjects[buyer.email] == {"Your purchase is confirmed"}

    [purchase] = [m for m in smtp_server.messages if m["To"] == buyer.email]
    assert purchase["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = purchase.get_body(preferencelist=("html",)).get_content()
    text = purchase.get_body(preferencelist=("plain",)).get_content()
    assert "Carbon credit platform" in html
    assert f"/api/v1/orders/{order['id']}" in text
    assert "Total paid:" in text


def test_smtp_down_then_up_delivers_later_without_duplicates(make_app, client):
    port = free_port()
    app = make_app(smtp_host="127.0.0.1", smtp_port=port)
    client = app.test_client()
    ana = signed_in(app, client, "ana@example.org")
    organization(app, [(ana, OrgRole.ADMIN)], "org-down")
    publish(app, status_changed("org-down"))
    jobs_done(app)
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in delivery.last_error
    platform = app.extensions["platform"]
    assert platform.deliver_notifications() == 0  # the retry is not due yet

    with SmtpTestServer() as server:
        server.stop()
        server.start(port)
        platform.clock = ShiftedClock(timedelta(minutes=1))
        assert platform.deliver_notifications() == 1
        assert platform.deliver_notifications() == 0
        platform.clock = ShiftedClock(timedelta(days=1))
        assert platform.deliver_notifications() == 0
        [message] = server.wait_for(1)
        assert (message["To"], message["Subject"]) == (
            "ana@example.org",
            "Project p-1 is now approved",
        )
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(in_app(ana)) == 1


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    status = 204

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    _Hook.received, _Hook.status = [], 204
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms", _Hook.received
    server.shutdown()
    server.server_close()


def test_sms_goes_out_as_a_signed_webhook_to_who_turned_it_on(make_app, webhook):
    url, received = webhook
    app = make_app(notify_sms_webhook_url=url, notify_sms_webhook_secret="s3cret")
    client = app.test_client()
    ana = signed_in(app, client, "ana@example.org")
    ben = signed_in(app, client, "ben@example.org")
    organization(app, [(ana, OrgRole.ADMIN), (ben, OrgRole.VIEWER)], "org-sms")
    sms_on = {"items": [{"trigger": "project_status_changed", "channel": "sms", "enabled": True}]}
    assert ana.put(PREFS, json=sms_on).status_code == 200
    publish(app, status_changed("org-sms"))
    jobs_done(app)
    [(headers, body)] = received
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Signature"] == expected
    sent = json.loads(body)
    assert (sent["channel"], sent["user_id"], sent["title"]) == (
        "sms",
        ana.user_id,
        "Project p-1 is now approved",
    )
    assert headers["X-Notification-Id"] == sent["notification_id"]


class _Picky:
    """Refuses `gone@` for good (550) and everyone else for now (451) until `accept`."""

    def __init__(self) -> None:
        self.accept = False
        self.received: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("gone@"):
            return "550 5.1.1 no such mailbox"
        if not self.accept:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def test_a_5xx_fails_for_good_and_a_4xx_is_retried(make_app):
    from aiosmtpd.controller import Controller

    handler, port = _Picky(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = make_app(smtp_host="127.0.0.1", smtp_port=port)
        client = app.test_client()
        gone = signed_in(app, client, "gone@example.org")
        later = signed_in(app, client, "later@example.org")
        admin = signed_in(app, client, "root@example.org", roles=("platform_admin",))
        organization(app, [(gone, OrgRole.ADMIN), (later, OrgRole.VIEWER)], "org-picky")
        publish(app, status_changed("org-picky"))
        jobs_done(app)
        by_user = {d.user_id: d for d in deliveries(app)}
        assert by_user[gone.user_id].status == "failed"
        assert "550" in by_user[gone.user_id].last_error
        assert (by_user[later.user_id].status, by_user[later.user_id].attempts) == ("pending", 1)
        [failure] = admin.get("/api/v1/admin/notifications/failures").get_json()
        assert failure["user_id"] == gone.user_id
        handler.accept = True
        platform = app.extensions["platform"]
        platform.clock = ShiftedClock(timedelta(minutes=1))
        assert platform.deliver_notifications() == 1
        assert handler.received == ["later@example.org"]
    finally:
        controller.stop()


@pytest.mark.parametrize(("status", "permanent"), [(410, True), (429, False), (503, False)])
def test_a_webhook_refusal_is_permanent_only_for_a_plain_4xx(webhook, status, permanent):
    from app.adapters.notifications.webhooks import WebhookSender
    from app.ports.notifier import ChannelMessage, PermanentFailure

    url, received = webhook
    _Hook.status = status
    message = ChannelMessage("push", "n1", "u1", "report_ready", "T", "B", None)
    with pytest.raises(PermanentFailure if permanent else Exception) as raised:
        WebhookSender(url, "k").send(message)
    assert isinstance(raised.value, PermanentFailure) == permanent
    assert len(received) == 1


def test_two_workers_retrying_at_once_send_one_email(make_app):
    port = free_port()
    app = make_app(smtp_host="127.0.0.1", smtp_port=port)
    client = app.test_client()
    ana = signed_in(app, client, "ana@example.org")
    organization(app, [(ana, OrgRole.ADMIN)], "org-race")
    publish(app, status_changed("org-race"))
    jobs_done(app)  # the first attempt found no server
    platform = app.extensions["platform"]
    platform.clock = ShiftedClock(timedelta(minutes=1))
    with SmtpTestServer() as server:
        server.stop()
        server.start(port)
        start = threading.Barrier(3)

        def worker() -> None:
            start.wait()
            platform.deliver_notifications()

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        server.wait_for(1)
        assert len(server.messages) == 1
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.attempts) == ("sent", 2)
