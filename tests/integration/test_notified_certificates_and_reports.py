"""The reporting engine's facts reach their people through a real SMTP server on
loopback: an issued certificate tells its holder once, by email and in the app, linking
the verification page; a built report tells whoever asked for it once, linking the
report; nobody else hears of either."""

from __future__ import annotations

from tests.integration.identity import signed_in, wait_for
from tests.integration.notification_support import jobs_done, notification_mails
from tests.integration.smtp_server import smtp_server  # noqa: F401
from tests.integration.test_certificates_http import _retired
from tests.integration.test_credits_flow import _minted
from tests.integration.test_reports_http import _ask


def _inbox(caller, trigger: str) -> list[dict]:
    listed = caller.get("/api/v1/notifications?page_size=100")
    assert listed.status_code == 200
    return [n for n in listed.get_json() if n["trigger"] == trigger]


def _mailed(smtp_server, subject: str) -> list[tuple[str, int]]:  # noqa: F811
    wait_for(lambda: any(s == subject for _, s in notification_mails(smtp_server.messages)), 30)
    mails = notification_mails(smtp_server.messages)
    return [(to, n) for (to, s), n in mails.items() if s == subject]


def test_an_issued_certificate_is_notified_to_its_holder_once(make_app, smtp_server):  # noqa: F811
    app = make_app(smtp_host="127.0.0.1", smtp_port=smtp_server.port)
    client = app.test_client()
    issuer, _, pid, _ = _minted(app, client)
    certificate_id = _retired(app, client, issuer, pid)
    jobs_done(app)

    ready = _inbox(issuer, "certificate_ready")

    assert len(ready) == 1
    assert ready[0]["link"] == f"http://127.0.0.1:5000/verify/{certificate_id}"
    assert len(_inbox(issuer, "retirement_completed")) == 1
    assert _mailed(smtp_server, ready[0]["title"]) == [(issuer.email, 1)]
    [mail] = [m for m in smtp_server.messages if m["Subject"] == ready[0]["title"]]
    assert f"/verify/{certificate_id}" in mail.get_body(preferencelist=("plain",)).get_content()
    stranger = signed_in(app, client, "stranger@example.org")
    assert _inbox(stranger, "certificate_ready") == []


def test_a_built_report_is_notified_to_who_asked_for_it_once(make_app, smtp_server):  # noqa: F811
    app = make_app(smtp_host="127.0.0.1", smtp_port=smtp_server.port)
    client = app.test_client()
    buyer = signed_in(app, client, "cfo@example.org")
    report = _ask(app, buyer, "esg_summary", "json")
    jobs_done(app)

    ready = _inbox(buyer, "report_ready")

    assert len(ready) == 1
    assert ready[0]["link"].endswith(f"/api/v1/reports/{report['id']}")
    assert _mailed(smtp_server, ready[0]["title"]) == [(buyer.email, 1)]
