from __future__ import annotations

import smtplib

import pytest

from app.domain.notifications import jobs, services
from app.domain.notifications.errors import NotificationNotFound
from app.domain.notifications.jobs import Outlets
from app.domain.notifications.model import (
    Channel,
    DeliveryStatus,
    Frequency,
    Preference,
    Trigger,
)
from app.domain.shared.json import JSON
from app.ports.notifier import PermanentFailure
from tests.fakes.clock import FakeClock
from tests.fakes.notifications import FakeMailer, FakeNotificationsUnitOfWork, FakeSender
from tests.unit.notifications.conftest import principal
from tests.unit.notifications.helpers import STATUS_EVENT, run_event


def inbox(mailer: FakeMailer) -> list[tuple[str, str]]:
    return sorted((m.to, m.subject) for m in mailer.sent)


def listed(uow: FakeNotificationsUnitOfWork, user_id: str) -> list[str]:
    rows, _ = services.list_notifications(
        principal(user_id), unread=None, offset=0, limit=50, uow=uow
    )
    return [n.title for n in rows]


def test_a_status_change_tells_each_member_once_by_email_and_in_the_app(
    uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock, mailer: FakeMailer
):
    assert run_event("projects.status_changed", STATUS_EVENT, uow, outlets, clock) == 2
    title = "Project Mata Viva is now approved"
    assert inbox(mailer) == [("ana@example.com", title), ("ben@example.com", title)]
    assert listed(uow, "ana") == [title]
    assert listed(uow, "rev") == []
    message = mailer.sent[0]
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.headers["List-Unsubscribe"].startswith(
        "<https://carbon.example/api/v1/notifications/unsubscribe?token="
    )


def test_the_same_event_told_twice_notifies_and_sends_once(
    uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock, mailer: FakeMailer
):
    run_event("projects.status_changed", STATUS_EVENT, uow, outlets, clock)
    assert run_event("projects.status_changed", STATUS_EVENT, uow, outlets, clock) == 0
    assert len(mailer.sent) == 2
    assert len(uow.notifications.rows) == 2
    other = STATUS_EVENT | {"event_id": "ev-2"}
    assert run_event("projects.status_changed", other, uow, outlets, clock) == 2


def test_a_delivery_run_twice_is_sent_once(
    uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock, mailer: FakeMailer
):
    run_event("projects.status_changed", STATUS_EVENT, uow, outlets, clock)
    for delivery_id in list(uow.notifications.deliveries):
        assert jobs.deliver(delivery_id, uow=uow, outlets=outlets, clock=clock) == "sent"
    assert len(mailer.sent) == 2


def test_a_poai_update_reaches_the_owners_and_the_assigned_reviewers(
    uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock, mailer: FakeMailer
):
    event: dict[str, JSON] = {
        "event_id": "ev-9", "case_id": "case-1", "project_id": "p1", "organization_id": "org-1",
        "round": 1, "from_status": "open", "to_status": "in_review", "actor_id": None,
        "reason": None,
    }  # fmt: skip
    assert run_event("poai.case_status_changed", event, uow, outlets, clock) == 3
    assert {m.to for m in mailer.sent} == {"ana@example.com", "ben@example.com", "rev@example.com"}


@pytest.mark.parametrize(
    ("event", "payload", "who", "link"),
    [
        (
            "marketplace.order_paid",
            {"order_id": "o1", "buyer_id": "buyer", "project_id": "p1", "quantity_kg": 2500,
             "total": "50.00", "currency": "EUR"},
            {"buyer"},
            "https://carbon.example/api/v1/orders/o1",
        ),
        (
            "credits.retirement_confirmed",
            {"retirement_id": "r1", "owner_kind": "organization", "owner_id": "org-1",
             "project_id": "p1", "quantity_kg": 1000, "beneficiary": "ACME"},
            {"ana", "ben"},
            "https://carbon.example/api/v1/retirements/r1",
        ),
        (
            "certificates.certificate_ready",
            {"certificate_id": "c1", "retirement_id": "r1", "owner_kind": "user",
             "owner_id": "buyer", "verify_url": "https://carbon.example/verify/c1"},
            {"buyer"},
            "https://carbon.example/verify/c1",
        ),
        (
            "reports.report_ready",
            {"report_id": "rp1", "requested_by": "ana", "kind": "esg"},
            {"ana"},
            "https://carbon.example/api/v1/reports/rp1",
        ),
    ],
)  # fmt: skip
def test_each_trigger_reaches_its_recipients_with_its_link(
    *,
    uow: FakeNotificationsUnitOfWork,
    outlets: Outlets,
    clock: FakeClock,
    mailer: FakeMailer,
    event: str,
    payload: dict[str, JSON],
    who: set[str],
    link: str,
):
    assert run_event(event, payload, uow, outlets, clock) == len(who)
    assert {m.to.split("@")[0] for m in mailer.sent} == who
    assert all(link in m.text for m in mailer.sent)
    assert {n.link for n in uow.notifications.rows.values()} == {link}


def test_a_governance_proposal_reaches_every_governance_member(
    uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock, mailer: FakeMailer
):
    uow.audience.roles["governance_member"] = ["rev", "ben"]
    payload: dict[str, JSON] = {"proposal_id": "g1", "title": "Raise the fee"}
    assert run_event("governance.proposal_created", payload, uow, outlets, clock) == 2
    assert {m.subject for m in mailer.sent} == {"New governance proposal: Raise the fee"}


def test_who_opted_out_gets_nothing_on_that_channel(
    uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock, mailer: FakeMailer
):
    t = Trigger.PROJECT_STATUS_CHANGED
    services.set_preferences(principal("ben"), [Preference(t, Channel.EMAIL, False)], uow=uow)
    off = [Preference(t, Channel.EMAIL, False), Preference(t, Channel.IN_APP, False)]
    services.set_preferences(principal("ana"), off, uow=uow)
    assert run_event("projects.status_changed", STATUS_EVENT, uow, outlets, clock) == 1
    assert mailer.sent == []
    assert listed(uow, "ben") == ["Project Mata Viva is now approved"]
    assert listed(uow, "ana") == []


def test_sms_goes_to_who_turned_it_on_when_a_gateway_is_configured(
    uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock, sms: FakeSender
):
    t = Trigger.PROJECT_STATUS_CHANGED
    on = [Preference(t, Channel.SMS, True), Preference(t, Channel.PUSH, True)]
    services.set_preferences(principal("ana"), on, uow=uow)
    run_event("projects.status_changed", STATUS_EVENT, uow, outlets, clock)
    [message] = sms.sent
    assert (message.user_id, message.channel, message.trigger) == ("ana", "sms", t.value)
    channels = {d.channel for d in uow.notifications.deliveries.values() if d.user_id == "ana"}
    assert channels == {Channel.EMAIL, Channel.SMS}  # no push gateway: no push delivery


def test_a_transient_failure_is_retried_with_backoff_and_sent_once(
    uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock, mailer: FakeMailer
):
    mailer.failures = [ConnectionRefusedError("down"), smtplib.SMTPServerDisconnected("x")] * 2
    run_event(
        "reports.report_ready", {"report_id": "r", "requested_by": "ana"}, uow, outlets, clock
    )
    [delivery] = uow.notifications.deliveries.values()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert delivery.next_attempt_at == clock.now() + outlets.retry.first_delay
    assert jobs.deliver_due(uow=uow, outlets=outlets, clock=clock) == 0  # not due yet
    clock.advance(seconds=30)
    jobs.deliver_due(uow=uow, outlets=outlets, clock=clock)
    [delivery] = uow.notifications.deliveries.values()
    assert delivery.next_attempt_at == clock.now() + 2 * outlets.retry.first_delay
    mailer.failures = []
    clock.advance(seconds=60)
    assert jobs.deliver_due(uow=uow, outlets=outlets, clock=clock) == 1
    assert jobs.deliver_due(uow=uow, outlets=outlets, clock=clock) == 0
    assert len(mailer.sent) == 1
    assert uow.notifications.deliveries[delivery.id].status == DeliveryStatus.SENT


def test_a_permanent_failure_is_recorded_and_shown_to_admins_only(
    uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock, mailer: FakeMailer
):
    mailer.failures = [PermanentFailure("550 no such user")]
    run_event(
        "reports.report_ready", {"report_id": "r", "requested_by": "ana"}, uow, outlets, clock
    )
    clock.advance(hours=1)
    assert jobs.deliver_due(uow=uow, outlets=outlets, clock=clock) == 0
    failed, total = services.list_failures(principal("x", admin=True), offset=0, limit=10, uow=uow)
    assert total == 1
    assert failed[0].last_error == "PermanentFailure: 550 no such user"
    assert failed[0].status == DeliveryStatus.FAILED
    from app.domain.shared.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.list_failures(principal("ana"), offset=0, limit=10, uow=uow)


def test_out_of_attempts_a_transient_failure_fails_for_good(
    uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock, mailer: FakeMailer
):
    mailer.failures = [ConnectionRefusedError("down")] * 3
    run_event(
        "reports.report_ready", {"report_id": "r", "requested_by": "ana"}, uow, outlets, clock
    )
    for _ in range(3):
        clock.advance(hours=1)
        jobs.deliver_due(uow=uow, outlets=outlets, clock=clock)
    [delivery] = uow.notifications.deliveries.values()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)


def test_turning_email_off_cancels_a_delivery_still_waiting(
    uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock, mailer: FakeMailer
):
    mailer.failures = [ConnectionRefusedError("down")]
    run_event(
        "reports.report_ready", {"report_id": "r", "requested_by": "ana"}, uow, outlets, clock
    )
    off = Preference(Trigger.REPORT_READY, Channel.EMAIL, False)
    services.set_preferences(principal("ana"), [off], uow=uow)
    clock.advance(hours=1)
    jobs.deliver_due(uow=uow, outlets=outlets, clock=clock)
    assert mailer.sent == []
    [delivery] = uow.notifications.deliveries.values()
    assert delivery.status == DeliveryStatus.CANCELLED


def test_daily_emails_go_out_in_one_digest_per_local_day(
    uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock, mailer: FakeMailer
):
    ana = uow.users.get("ana")
    assert ana is not None
    ana.timezone = "America/Sao_Paulo"  # 09:00 UTC is 06:00 there
    uow.users.save(ana)
    daily = [Preference(t, Channel.EMAIL, True, Frequency.DAILY) for t in Trigger]
    services.set_preferences(principal("ana"), daily, uow=uow)
    run_event("projects.status_changed", STATUS_EVENT, uow, outlets, clock)
    run_event(
        "reports.report_ready", {"report_id": "r", "requested_by": "ana"}, uow, outlets, clock
    )
    assert inbox(mailer) == [("ben@example.com", "Project Mata Viva is now approved")]
    assert jobs.send_digests(uow=uow, outlets=outlets, clock=clock) == 0  # 06:00 local
    clock.advance(hours=3)
    assert jobs.send_digests(uow=uow, outlets=outlets, clock=clock) == 1
    assert jobs.send_digests(uow=uow, outlets=outlets, clock=clock) == 0
    digest = mailer.sent[-1]
    assert (digest.to, digest.subject) == ("ana@example.com", "Your daily digest: 2")
    assert "Your ESG report is ready" in digest.text
    assert listed(uow, "ana") == ["Your ESG report is ready", "Project Mata Viva is now approved"]
    # held later the same day: waits for the next day's digest
    run_event(
        "reports.report_ready", {"report_id": "r2", "requested_by": "ana"}, uow, outlets, clock
    )
    assert jobs.send_digests(uow=uow, outlets=outlets, clock=clock) == 0
    clock.advance(days=1)
    assert jobs.send_digests(uow=uow, outlets=outlets, clock=clock) == 1
    assert mailer.sent[-1].subject == "Your daily digest: 1"


def test_read_marks_are_the_owners_own(
    uow: FakeNotificationsUnitOfWork, outlets: Outlets, clock: FakeClock
):
    run_event("projects.status_changed", STATUS_EVENT, uow, outlets, clock)
    [mine], _ = services.list_notifications(
        principal("ana"), unread=True, offset=0, limit=5, uow=uow
    )
    with pytest.raises(NotificationNotFound):
        services.mark_read(principal("ben"), mine.id, uow=uow, clock=clock)
    assert (
        services.mark_read(principal("ana"), mine.id, uow=uow, clock=clock).read_at == clock.now()
    )
    unread, total = services.list_notifications(
        principal("ana"), unread=True, offset=0, limit=5, uow=uow
    )
    assert (unread, total) == ([], 0)
    assert services.mark_all_read(principal("ben"), uow=uow, clock=clock) == 1
    assert services.mark_all_read(principal("ben"), uow=uow, clock=clock) == 0
