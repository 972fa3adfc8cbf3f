"""From a domain event to what is told and to whom: one resolver per event name.

Payloads these resolvers read (the producers' events carry at least these fields):

- `projects.status_changed`: project_id, organization_id, from_status, to_status, reason
  -> the members of the project's organization.
- `poai.case_status_changed`: case_id, project_id, organization_id, round, to_status,
  reason -> the organization's members and the case's assigned reviewers.
- `marketplace.order_paid`: order_id, buyer_id, project_id, quantity_kg, total, currency
  -> the buyer.
- `credits.retirement_confirmed`: retirement_id, owner_kind, owner_id, project_id,
  quantity_kg, beneficiary -> the holder (the user, or the organization's members).
- `certificates.certificate_ready`: certificate_id, retirement_id, owner_kind
  ('user'|'organization'), owner_id, verify_url -> the holder.
- `reports.report_ready`: report_id, requested_by (a user id), kind, download_url
  (optional) -> the requester.
- `governance.proposal_created`: proposal_id, title -> every governance member.
- `retirements.reminder_due`: schedule_id, owner_kind, owner_id, due_on, quantity_kg,
  reserved, note -> the holder.
- `retirements.schedule_failed`: schedule_id, owner_kind, owner_id, quantity_kg, reason
  -> the holder (under the `retirement_reminder` preferences: both are about the
  schedule).

The dedup key is the fact's own identity where it has one (an order is paid once), else
the event's `event_id` (a project changes status many times)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.domain.notifications.model import Trigger
from app.domain.shared.json import JSON
from app.domain.shared.quantity import Quantity
from app.ports.repositories.notifications import NotificationsUoW


@dataclass(frozen=True)
class Occurrence:
    trigger: Trigger
    dedup_key: str
    recipients: list[str]
    title: str
    body: str
    link: str | None
    data: dict[str, JSON] = field(default_factory=dict)


Resolver = Callable[[dict[str, JSON], NotificationsUoW, str], Occurrence]


def _s(payload: dict[str, JSON], name: str) -> str:
    value = payload.get(name)
    return "" if value is None else str(value)


def _tonnes(payload: dict[str, JSON]) -> str:
    kg = payload.get("quantity_kg")
    return Quantity(int(str(kg))).tonnes_str() if kg is not None else "?"


def _members(org_id: str, uow: NotificationsUoW) -> list[str]:
    org = uow.organizations.get(org_id)
    return list(org.members) if org else []


def _holder(payload: dict[str, JSON], uow: NotificationsUoW) -> list[str]:
    owner = _s(payload, "owner_id")
    return [owner] if _s(payload, "owner_kind") == "user" else _members(owner, uow)


def _project(payload: dict[str, JSON], uow: NotificationsUoW) -> str:
    pid = _s(payload, "project_id")
    return uow.audience.project_name(pid) or pid


def _event_key(payload: dict[str, JSON], *identity: str) -> str:
    event_id = payload.get("event_id")
    if event_id is not None:
        return str(event_id)
    return ":".join(_s(payload, name) for name in identity)


def _reason(payload: dict[str, JSON]) -> str:
    reason = _s(payload, "reason")
    return f" Reason: {reason}" if reason else ""


def project_status(payload: dict[str, JSON], uow: NotificationsUoW, base: str) -> Occurrence:
    name, to = _project(payload, uow), _s(payload, "to_status")
    return Occurrence(
        Trigger.PROJECT_STATUS_CHANGED,
        _event_key(payload, "project_id", "from_status", "to_status"),
        _members(_s(payload, "organization_id"), uow),
        f"Project {name} is now {to}",
        f"The project {name} moved from {_s(payload, 'from_status')} to {to}.{_reason(payload)}",
        f"{base}/api/v1/projects/{_s(payload, 'project_id')}",
        {"project_name": name, "to_status": to},
    )


def poai_case(payload: dict[str, JSON], uow: NotificationsUoW, base: str) -> Occurrence:
    name, to, case_id = _project(payload, uow), _s(payload, "to_status"), _s(payload, "case_id")
    people = _members(_s(payload, "organization_id"), uow) + uow.audience.case_reviewers(case_id)
    return Occurrence(
        Trigger.POAI_CASE_UPDATED,
        _event_key(payload, "case_id", "round", "to_status"),
        people,
        f"PoAI review of {name}: {to}",
        f"The integrity review of {name} (round {_s(payload, 'round')}) is now {to}."
        f"{_reason(payload)}",
        f"{base}/api/v1/poai/cases/{case_id}",
        {"project_name": name, "to_status": to},
    )


def order_paid(payload: dict[str, JSON], uow: NotificationsUoW, base: str) -> Occurrence:
    order_id, total = _s(payload, "order_id"), f"{_s(payload, 'total')} {_s(payload, 'currency')}"
    name = _project(payload, uow)
    return Occurrence(
        Trigger.PURCHASE_CONFIRMED,
        f"order:{order_id}",
        [_s(payload, "buyer_id")],
        "Your purchase is confirmed",
        f"Your payment of {total} for {_tonnes(payload)} t of {name} credits is confirmed; "
        "the credits are on their way to your account.",
        f"{base}/api/v1/orders/{order_id}",
        {"project_name": name, "total": total, "tonnes": _tonnes(payload)},
    )


def retirement(payload: dict[str, JSON], uow: NotificationsUoW, base: str) -> Occurrence:
    rid, name = _s(payload, "retirement_id"), _project(payload, uow)
    return Occurrence(
        Trigger.RETIREMENT_COMPLETED,
        f"retirement:{rid}",
        _holder(payload, uow),
        "Your retirement is confirmed on chain",
        f"{_tonnes(payload)} t of {name} credits are retired for {_s(payload, 'beneficiary')}.",
        f"{base}/api/v1/retirements/{rid}",
        {"project_name": name, "tonnes": _tonnes(payload)},
    )


def certificate(payload: dict[str, JSON], uow: NotificationsUoW, base: str) -> Occurrence:
    verify = _s(payload, "verify_url") or None
    return Occurrence(
        Trigger.CERTIFICATE_READY,
        f"certificate:{_s(payload, 'certificate_id')}",
        _holder(payload, uow),
        "Your retirement certificate is ready",
        "The certificate of your retirement is issued. Anyone can check it at its "
        "verification link.",
        verify,
        {"verify_url": verify, "retirement_id": _s(payload, "retirement_id")},
    )


def report(payload: dict[str, JSON], uow: NotificationsUoW, base: str) -> Occurrence:
    rid = _s(payload, "report_id")
    link = _s(payload, "download_url") or f"{base}/api/v1/reports/{rid}"
    return Occurrence(
        Trigger.REPORT_READY,
        f"report:{rid}",
        [_s(payload, "requested_by")],
        f"Your {_s(payload, 'kind') or 'ESG'} report is ready",
        "The report you asked for is ready to download.",
        link,
        {"kind": _s(payload, "kind")},
    )


def proposal(payload: dict[str, JSON], uow: NotificationsUoW, base: str) -> Occurrence:
    pid = _s(payload, "proposal_id")
    return Occurrence(
        Trigger.GOVERNANCE_PROPOSAL_CREATED,
        f"proposal:{pid}",
        uow.audience.users_with_role("governance_member"),
        f"New governance proposal: {_s(payload, 'title')}",
        "A proposal is open for the governance members' votes.",
        f"{base}/api/v1/governance/proposals/{pid}",
    )


def reminder(payload: dict[str, JSON], uow: NotificationsUoW, base: str) -> Occurrence:
    sid, note = _s(payload, "schedule_id"), _s(payload, "note")
    held = " The credits are now reserved for it." if payload.get("reserved") else ""
    return Occurrence(
        Trigger.RETIREMENT_REMINDER,
        f"schedule-reminder:{sid}",
        _holder(payload, uow),
        "A scheduled retirement is coming up",
        f"{_tonnes(payload)} t are scheduled to be retired on {_s(payload, 'due_on')}."
        + (f" {note}" if note else held),
        f"{base}/api/v1/retirements/schedules/{sid}",
    )


def schedule_failed(payload: dict[str, JSON], uow: NotificationsUoW, base: str) -> Occurrence:
    sid = _s(payload, "schedule_id")
    return Occurrence(
        Trigger.RETIREMENT_REMINDER,
        f"schedule-failed:{sid}",
        _holder(payload, uow),
        "A scheduled retirement could not run",
        f"The retirement of {_tonnes(payload)} t scheduled for now did not happen: "
        f"{_s(payload, 'reason')}",
        f"{base}/api/v1/retirements/schedules/{sid}",
        {"reason": _s(payload, "reason")},
    )


RESOLVERS: dict[str, Resolver] = {
    "projects.status_changed": project_status,
    "poai.case_status_changed": poai_case,
    "marketplace.order_paid": order_paid,
    "credits.retirement_confirmed": retirement,
    "certificates.certificate_ready": certificate,
    "reports.report_ready": report,
    "governance.proposal_created": proposal,
    "retirements.reminder_due": reminder,
    "retirements.schedule_failed": schedule_failed,
}
