"""Scheduled retirements through HTTP on the embedded chain: planned, reminded (which
reserves the credits), run once at their time into a retirement the chain confirms,
cancelled (which gives the reservation back), and a run without the credits fails and
tells the holder why. The clock is moved forward, the sweep is called directly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from app.domain.auth.permissions import OrgRole
from tests.integration.identity import signed_in, wait_for
from tests.integration.market_support import organization
from tests.integration.notification_support import (
    ShiftedClock,
    in_app,
    jobs_done,
    notification_mails,
)
from tests.integration.smtp_server import smtp_server  # noqa: F401
from tests.integration.test_credits_flow import _index_until, _minted
from tests.integration.test_reports_http import _ask, _download

ORG = "org-issuer"
URL = "/api/v1/retirements/schedules"


def _body(pid: str, quantity: str, *, days: int = 30, remind: int | None = 7) -> dict:
    run_at = datetime.now(UTC) + timedelta(days=days)
    return {
        "project_id": pid,
        "vintage": 2024,
        "quantity": quantity,
        "beneficiary": "Acme Ltd",
        "purpose": "2026 scope 2",
        "organization_id": ORG,
        "run_at": run_at.isoformat(),
        "remind_days_before": remind,
    }


def _sweep_at(app, days: float) -> int:
    platform = app.extensions["platform"]
    real = platform.clock
    platform.clock = ShiftedClock(timedelta(days=days))
    try:
        return platform.run_due_schedules()
    finally:
        platform.clock = real


def _available(issuer, pid: str) -> str:
    return issuer.get(f"/api/v1/credits/balances?project_id={pid}").get_json()[0]["available"]


def _inbox(caller, trigger: str) -> list[dict]:
    listed = caller.get("/api/v1/notifications?page_size=100")
    assert listed.status_code == 200
    return [n for n in listed.get_json() if n["trigger"] == trigger]


def test_a_schedule_is_reminded_reserved_and_run_once(app, client):
    issuer, _, pid, _ = _minted(app, client)
    made = issuer.post(URL, json=_body(pid, "10"), headers={"Idempotency-Key": "plan-1"})
    assert made.status_code == 201, made.get_json()
    schedule = made.get_json()
    assert (schedule["status"], schedule["reserved"], schedule["quantity"]) == (
        "scheduled",
        False,
        "10",
    )
    again = issuer.post(URL, json=_body(pid, "10"), headers={"Idempotency-Key": "plan-1"})
    assert again.status_code == 409  # same key, another body (run_at moved): refused
    assert [s["id"] for s in issuer.get(URL).get_json()] == [schedule["id"]]
    assert _available(issuer, pid) == "50"

    assert _sweep_at(app, 22) == 0  # eight days ahead: not yet
    assert _sweep_at(app, 23.5) == 1  # the reminder: the credits are held back
    assert _sweep_at(app, 23.6) == 0
    reminded = issuer.get(f"{URL}/{schedule['id']}").get_json()
    assert (reminded["status"], reminded["reserved"]) == ("reserved", True)
    assert _available(issuer, pid) == "40"
    too_much = {**_body(pid, "41"), "run_at": None}
    del too_much["run_at"], too_much["remind_days_before"]
    taken = issuer.post("/api/v1/retirements", json=too_much)
    assert taken.status_code == 409
    assert taken.get_json()["code"] == "insufficient_credits"
    jobs_done(app)
    [reminder] = _inbox(issuer, "retirement_reminder")
    assert "10 t are scheduled to be retired" in reminder["body"]
    assert reminder["link"].endswith(f"{URL}/{schedule['id']}")

    assert _sweep_at(app, 30.1) == 1
    assert _sweep_at(app, 30.2) == 0
    ran = issuer.get(f"{URL}/{schedule['id']}").get_json()
    assert ran["status"] == "completed"
    assert ran["retirement_id"]
    retirement_url = f"/api/v1/retirements/{ran['retirement_id']}"
    _index_until(app, lambda: issuer.get(retirement_url).get_json()["status"] == "confirmed")
    assert issuer.get(retirement_url).get_json()["quantity"] == "10"
    balances = issuer.get(f"/api/v1/credits/balances?project_id={pid}").get_json()[0]
    assert (balances["quantity"], balances["available"]) == ("40", "40")
    retired = issuer.get("/api/v1/retirements").get_json()
    assert [r["id"] for r in retired] == [ran["retirement_id"]]


def test_cancelling_gives_the_reservation_back(app, client):
    issuer, _, pid, _ = _minted(app, client)
    schedule = issuer.post(URL, json=_body(pid, "20", remind=40)).get_json()
    assert _sweep_at(app, 0) == 1  # the reminder is already due
    assert _available(issuer, pid) == "30"
    stranger = signed_in(app, client, "stranger@example.org")
    assert stranger.get(f"{URL}/{schedule['id']}").status_code == 404
    assert stranger.delete(f"{URL}/{schedule['id']}").status_code == 404
    cancelled = issuer.delete(f"{URL}/{schedule['id']}?organization_id={ORG}")
    assert cancelled.status_code == 200, cancelled.get_json()
    assert cancelled.get_json()["status"] == "cancelled"
    assert _available(issuer, pid) == "50"
    twice = issuer.delete(f"{URL}/{schedule['id']}?organization_id={ORG}")
    assert twice.status_code == 409
    assert twice.get_json()["code"] == "schedule_not_open"
    assert _sweep_at(app, 31) == 0


def test_a_run_without_the_credits_fails_and_says_why(app, client):
    issuer, _, pid, _ = _minted(app, client)
    schedule = issuer.post(URL, json=_body(pid, "60", days=2, remind=None)).get_json()
    assert _sweep_at(app, 2.1) == 1
    failed = issuer.get(f"{URL}/{schedule['id']}").get_json()
    assert failed["status"] == "failed"
    assert "60 t" in failed["failure"]
    jobs_done(app)
    [notice] = _inbox(issuer, "retirement_reminder")
    assert notice["title"] == "A scheduled retirement could not run"
    assert failed["failure"] in notice["body"]
    assert issuer.get("/api/v1/retirements").get_json() == []


def test_bad_schedules_are_refused_with_their_reason(app, client):
    issuer, _, pid, _ = _minted(app, client)
    past = issuer.post(URL, json=_body(pid, "1", days=-1))
    assert past.status_code == 422
    assert past.get_json()["code"] == "run_at_not_future"
    far = issuer.post(URL, json=_body(pid, "1", days=365 * 11))
    assert far.status_code == 422
    assert far.get_json()["code"] == "run_at_too_far"
    for field, value in [
        ("remind_days_before", 366),
        ("remind_days_before", "7"),
        ("run_at", "tomorrow"),
        ("run_at", "0001-01-01T00:00:00+01:00"),
        ("quantity", "0"),
    ]:
        refused = issuer.post(URL, json={**_body(pid, "1"), field: value})
        assert refused.status_code == 422, (field, value, refused.get_json())
        assert field in str(refused.get_json()["errors"]), refused.get_json()
    naive = {**_body(pid, "1"), "run_at": "2030-01-01T09:00:00"}
    made = issuer.post(URL, json=naive)
    assert made.status_code == 201
    assert made.get_json()["run_at"].startswith("2030-01-01T09:00")
    viewer = signed_in(app, client, "viewer@example.org")
    assert viewer.post(URL, json=_body(pid, "1")).status_code in {403, 404}


def test_open_schedules_are_the_reports_planned_future_cancellation(app, client):
    issuer, _, pid, _ = _minted(app, client)
    issuer.post(URL, json=_body(pid, "3.5", days=10))
    issuer.post(URL, json=_body(pid, "1.25", days=20, remind=40))
    cancelled = issuer.post(URL, json=_body(pid, "7", days=20)).get_json()
    issuer.delete(f"{URL}/{cancelled['id']}?organization_id={ORG}")
    assert _sweep_at(app, 0) == 1  # the second one is reserved: still planned

    report = _ask(app, issuer, "esg_summary", "json", organization_id=ORG)
    totals = json.loads(_download(client, report).data)["summary"]["totals"]
    assert totals["planned_future_cancellation_t"] == "4.75"
    stranger = signed_in(app, client, "stranger@example.org")
    theirs = json.loads(_download(client, _ask(app, stranger, "esg_summary", "json")).data)
    assert theirs["summary"]["totals"]["planned_future_cancellation_t"] == "0"


def test_the_reminder_mails_each_member_who_wants_it_once(make_app, smtp_server):  # noqa: F811
    app = make_app(smtp_host="127.0.0.1", smtp_port=smtp_server.port)
    client = app.test_client()
    issuer, _, pid, _ = _minted(app, client)
    finance = signed_in(app, client, "finance@example.org")
    organization(app, [(issuer, OrgRole.ADMIN), (finance, OrgRole.FINANCE)], org_id=ORG)
    off = {"items": [{"trigger": "retirement_reminder", "channel": "email", "enabled": False}]}
    assert finance.put("/api/v1/me/notification-preferences", json=off).status_code == 200
    jobs_done(app)
    schedule = finance.post(URL, json=_body(pid, "4", remind=30)).get_json()

    assert _sweep_at(app, 0) == 1
    assert _sweep_at(app, 0) == 0  # (a clock moved further would hold the mail back)
    jobs_done(app)
    subject = "A scheduled retirement is coming up"
    wait_for(lambda: notification_mails(smtp_server.messages)[(issuer.email, subject)], 30)
    mails = notification_mails(smtp_server.messages)
    assert [(to, n) for (to, s), n in mails.items() if s == subject] == [(issuer.email, 1)]
    for member in (issuer, finance):  # in the app for both: only the email was turned off
        reminders = [n for n in in_app(member) if n["trigger"] == "retirement_reminder"]
        assert [n["link"].rsplit("/", 1)[1] for n in reminders] == [schedule["id"]]
