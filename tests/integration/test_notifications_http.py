"""Notifications end to end: the in-app list and read marks, preferences, one-click
unsubscribe, a job delivered twice, daily digests, and the admins' list of failures."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.adapters.sql.tables import outbox
from app.domain.auth.permissions import OrgRole
from tests.integration.identity import mail_to, signed_in
from tests.integration.market_support import organization
from tests.integration.notification_support import (
    PREFS,
    ShiftedClock,
    deliveries,
    in_app,
    jobs_done,
    publish,
    status_changed,
)

ORG = "org-notify"


@pytest.fixture
def members(app, client):
    ana = signed_in(app, client, "ana@example.org")
    ben = signed_in(app, client, "ben@example.org")
    organization(app, [(ana, OrgRole.ADMIN), (ben, OrgRole.VIEWER)], ORG)
    return ana, ben


def test_the_in_app_list_is_paged_filtered_and_each_users_own(app, members):
    ana, ben = members
    for to in ("submitted", "in_review", "approved"):
        publish(app, status_changed(ORG, to))
    jobs_done(app)
    listed = ana.get("/api/v1/notifications?page_size=2")
    assert listed.status_code == 200
    assert json.loads(listed.headers["X-Pagination"])["total"] == 3
    first = listed.get_json()
    assert [n["title"] for n in first] == [
        "Project p-1 is now approved",
        "Project p-1 is now in_review",
    ]
    assert set(first[0]) == {"id", "trigger", "title", "body", "link", "read_at", "created_at"}
    assert first[0]["trigger"] == "project_status_changed"
    assert first[0]["link"].endswith("/api/v1/projects/p-1")

    mine = first[0]["id"]
    assert ben.post(f"/api/v1/notifications/{mine}/read").status_code == 404
    read = ana.post(f"/api/v1/notifications/{mine}/read")
    assert read.status_code == 200
    assert read.get_json()["read_at"] is not None
    unread = ana.get("/api/v1/notifications?unread=true").get_json()
    assert [n["id"] for n in unread if n["id"] == mine] == []
    assert len(unread) == 2
    assert ana.post("/api/v1/notifications/read-all").get_json() == {"marked": 2}
    assert ana.get("/api/v1/notifications?unread=true").get_json() == []
    assert len(ben.get("/api/v1/notifications?unread=true").get_json()) == 3


def test_preferences_default_change_and_refuse_a_daily_sms(app, members):
    ana, _ = members
    got = ana.get(PREFS).get_json()
    assert got["timezone"] is None
    by = {(i["trigger"], i["channel"]): i for i in got["items"]}
    assert by[("report_ready", "email")] == {
        "trigger": "report_ready", "channel": "email", "enabled": True, "frequency": "immediate",
    }  # fmt: skip
    assert by[("report_ready", "sms")]["enabled"] is False
    body = {
        "items": [{"trigger": "report_ready", "channel": "email", "enabled": True,
                   "frequency": "daily"}],
        "timezone": "Europe/Paris",
    }  # fmt: skip
    changed = ana.put(PREFS, json=body)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["timezone"] == "Europe/Paris"
    assert ana.get("/api/v1/me").get_json()["timezone"] == "Europe/Paris"
    after = {(i["trigger"], i["channel"]): i for i in ana.get(PREFS).get_json()["items"]}
    assert after[("report_ready", "email")]["frequency"] == "daily"
    assert after[("purchase_confirmed", "email")]["frequency"] == "immediate"

    daily_sms = {"items": [{"trigger": "report_ready", "channel": "sms", "enabled": True,
                            "frequency": "daily"}]}  # fmt: skip
    refused = ana.put(PREFS, json=daily_sms)
    assert (refused.status_code, refused.get_json()["code"]) == (422, "digest_email_only")
    bad_zone = ana.put(PREFS, json={"items": [], "timezone": "Mars/Olympus_Mons"})
    assert (bad_zone.status_code, bad_zone.get_json()["code"]) == (422, "invalid_timezone")
    security = {"items": [{"trigger": "password_reset", "channel": "email", "enabled": False}]}
    assert ana.put(PREFS, json=security).status_code == 422


def test_who_opted_out_gets_no_email_and_one_click_unsubscribes(app, client, members):
    ana, ben = members
    off = {"items": [{"trigger": "project_status_changed", "channel": "email", "enabled": False}]}
    assert ben.put(PREFS, json=off).status_code == 200
    publish(app, status_changed(ORG))
    jobs_done(app)
    message = mail_to(app, "ana@example.org", "Project p-1")
    outbox = app.extensions["platform"].mailer.outbox
    assert [m.to for m in outbox if "Project p-1" in m.subject] == ["ana@example.org"]
    assert len(in_app(ben)) == 1  # in-app stays on

    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.headers["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert "project status changed" in page.get_data(as_text=True)
    clicked = client.post(
        "/" + path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert clicked.status_code == 200, clicked.get_json()
    assert clicked.get_json() == {"unsubscribed": ["project_status_changed"]}
    prefs = {(i["trigger"], i["channel"]): i for i in ana.get(PREFS).get_json()["items"]}
    assert prefs[("project_status_changed", "email")]["enabled"] is False
    forged = "/" + path.replace("project_status_changed", "report_ready")
    assert client.post(forged).get_json()["code"] == "invalid_unsubscribe_token"


def test_a_job_delivered_twice_notifies_and_sends_once(app, members):
    ana, _ = members
    platform = app.extensions["platform"]
    publish(app, status_changed(ORG))
    jobs_done(app)
    mail_to(app, "ben@example.org", "Project p-1")
    with platform.db.engine.begin() as conn:  # as if each job had never been marked done
        ours = sa.text("name LIKE 'notifications.%'")
        jobs = conn.execute(sa.select(outbox.c.id).where(ours)).scalars().all()
        conn.execute(sa.update(outbox).where(ours).values(done_at=None))
    for job_id in jobs:
        platform.run_job(job_id)
    sent = platform.mailer.outbox
    assert sorted(m.to for m in sent if "Project p-1" in m.subject) == [
        "ana@example.org",
        "ben@example.org",
    ]
    assert len(in_app(ana)) == 1
    assert len(deliveries(app)) == 2


def test_daily_emails_arrive_as_one_digest(make_app, client):
    app = make_app(notify_digest_hour=0)
    client = app.test_client()
    ana = signed_in(app, client, "ana@example.org")
    organization(app, [(ana, OrgRole.ADMIN)], ORG)
    item = {"trigger": "project_status_changed", "channel": "email", "enabled": True}
    daily = {"items": [{**item, "frequency": "daily"}], "timezone": "Asia/Tokyo"}
    assert ana.put(PREFS, json=daily).status_code == 200
    for to in ("submitted", "approved"):
        publish(app, status_changed(ORG, to))
    jobs_done(app)
    platform = app.extensions["platform"]
    assert [m for m in platform.mailer.outbox if m.to == "ana@example.org"] == []
    assert platform.deliver_notifications() == 1
    assert platform.deliver_notifications() == 0
    [digest] = [m for m in platform.mailer.outbox if m.to == "ana@example.org"]
    assert digest.subject == "Your daily digest: 2 notifications"
    assert "Project p-1 is now submitted" in digest.text
    assert "Project p-1 is now approved" in digest.html
    assert "digest" in digest.headers["List-Unsubscribe"]
    assert len(in_app(ana)) == 2


def test_permanent_failures_are_listed_for_admins(app, client, members):
    ana, _ = members
    admin = signed_in(app, client, "root@example.org", roles=("platform_admin",))
    platform = app.extensions["platform"]
    from app.ports.notifier import PermanentFailure

    class Refusing:
        def send(self, message):
            raise PermanentFailure("550 5.1.1 mailbox unavailable")

    platform.__dict__["notify_outlets"] = platform.notify_outlets.__class__(
        **{**platform.notify_outlets.__dict__, "mailer": Refusing()}
    )
    publish(app, status_changed(ORG))
    jobs_done(app)
    listed = admin.get("/api/v1/admin/notifications/failures")
    assert listed.status_code == 200
    rows = listed.get_json()
    assert {r["user_id"] for r in rows} == {ana.user_id, members[1].user_id}
    assert rows[0]["last_error"] == "PermanentFailure: 550 5.1.1 mailbox unavailable"
    assert rows[0]["attempts"] == 1
    assert ana.get("/api/v1/admin/notifications/failures").status_code == 403
    platform.clock = ShiftedClock(timedelta(days=1))
    assert platform.deliver_notifications() == 0  # failed for good: not tried again
