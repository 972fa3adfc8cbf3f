"""The reporting engine's facts reach their people: an issued certificate tells its
holder once, linking the verification page; a built report tells whoever asked for it
once, linking the report."""

from __future__ import annotations

from tests.integration.identity import signed_in
from tests.integration.notification_support import jobs_done
from tests.integration.test_certificates_http import _retired
from tests.integration.test_credits_flow import _minted
from tests.integration.test_reports_http import _ask


def _inbox(caller, trigger: str) -> list[dict]:
    listed = caller.get("/api/v1/notifications?page_size=100")
    assert listed.status_code == 200
    return [n for n in listed.get_json() if n["trigger"] == trigger]


def test_an_issued_certificate_is_notified_to_its_holder_once(app, client):
    issuer, _, pid, _ = _minted(app, client)
    certificate_id = _retired(app, client, issuer, pid)
    jobs_done(app)

    ready = _inbox(issuer, "certificate_ready")

    assert len(ready) == 1
    assert ready[0]["link"] == f"http://127.0.0.1:5000/verify/{certificate_id}"
    assert len(_inbox(issuer, "retirement_completed")) == 1
    stranger = signed_in(app, client, "stranger@example.org")
    assert _inbox(stranger, "certificate_ready") == []


def test_a_built_report_is_notified_to_who_asked_for_it_once(app, client):
    buyer = signed_in(app, client, "cfo@example.org")
    report = _ask(app, buyer, "esg_summary", "json")
    jobs_done(app)

    ready = _inbox(buyer, "report_ready")

    assert len(ready) == 1
    assert ready[0]["link"].endswith(f"/api/v1/reports/{report['id']}")
