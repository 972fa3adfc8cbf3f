"""Building a report: queued -> running -> ready (the file encrypted and stored, the
event published, the figures those of the ledger) or failed with its reason; and the
email that carries the link, never the file."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app.domain.reports import jobs
from app.domain.reports.figures import NOT_NETTED_STATEMENT, CustomRow
from app.domain.reports.model import CustomSpec, ReportKind, ReportStatus, associated_data
from app.domain.shared.audit import AuditEntry
from app.domain.shared.money import Money
from app.ports.storage import SealedKey
from tests.unit.builders import ORG, PID
from tests.unit.reports.world import ADMIN, FINANCE, RETAIL, ReportsWorld, at, retirement_row

D = Decimal


@pytest.fixture
def world() -> ReportsWorld:
    w = ReportsWorld()
    w.retired(retirement_row(1, 6_000, price_paid=Money.of("90", "EUR")))
    w.retired(retirement_row(2, 3_500, mitigation="removal", removal_kind="biogenic", country="SE"))
    w.retired(
        retirement_row(
            3,
            500,
            mitigation="removal",
            removal_kind="technological",
            corresponding_adjustment=True,
        )
    )
    w.retired(retirement_row(4, 9_999, retired_at=at(1).replace(month=2)))  # before the period
    w.retired(retirement_row(5, 700), owner=("user", RETAIL.id))  # someone else's
    w.bought(10_000, Money.of("150.50", "EUR"))
    w.bought(2_000, Money.of("40", "USD"))
    w.bought(1_000, Money.of("10", "EUR"), owner=("user", RETAIL.id))
    w.uow.scheduled_retirements.kg = 1_250
    return w


def _doc(world: ReportsWorld) -> dict:
    return world.writer.written[-1][1]


def test_an_esg_summary_is_built_with_the_ledgers_totals_and_stored_encrypted(
    world: ReportsWorld,
):
    report = world.build(world.ask())

    assert report.status == ReportStatus.READY
    assert report.file is not None
    assert report.finished_at == world.clock.now()
    plain = world.writer.files[0].data
    assert world.writer.files[0].closed
    key = SealedKey(report.file.wrapped_key, report.file.key_id)
    stream = world.storage.store.get_stream(report.file.locator)
    assert b"".join(world.storage.cipher.open_stream(key, stream, associated_data(report))) == plain
    assert report.file.size == len(plain)

    summary = _doc(world)["summary"]
    assert summary["totals"] == {
        "tonnes_purchased": "12",
        "tonnes_retired": "10",
        "spend": [{"amount": "150.50", "currency": "EUR"}, {"amount": "40.00", "currency": "USD"}],
        "planned_future_cancellation_t": "1.25",
    }
    assert summary["e1_7"]["mitigation"] == [
        {"label": "reduction", "tonnes": "6", "percent": "60.00"},
        {"label": "removal", "tonnes": "4", "percent": "40.00"},
    ]
    assert summary["e1_7"]["removal_kind"] == [
        {"label": "biogenic", "tonnes": "3.5", "percent": "87.50"},
        {"label": "technological", "tonnes": "0.5", "percent": "12.50"},
    ]
    assert summary["e1_7"]["eu"][0] == {"label": "inside_eu", "tonnes": "3.5", "percent": "35.00"}
    assert _doc(world)["statement"] == NOT_NETTED_STATEMENT
    rows = _doc(world)["rows"]
    assert [r[-1] for r in rows] == ["r1", "r2", "r3"]
    assert rows[0][13:15] == ["90.00", "EUR"]  # the price paid, from the order
    assert rows[1][13:15] == [None, None]
    assert sum(D(r[7]) for r in rows) == D(10)
    assert ("reports.report_ready", report.id) in [
        (e.name, e.payload()["report_id"]) for e in world.uow.dispatched
    ]
    assert world.audited()[-1] == "reports.ready"


def test_a_users_own_report_counts_only_its_own(world: ReportsWorld):
    world.build(world.ask(RETAIL, organization_id=None))
    totals = _doc(world)["summary"]["totals"]
    assert (totals["tonnes_retired"], totals["tonnes_purchased"]) == ("0.7", "1")


def test_the_platform_report_counts_everyone(world: ReportsWorld):
    world.build(world.ask(ADMIN, organization_id=None))
    assert _doc(world)["summary"]["totals"]["tonnes_retired"] == "10.7"


def test_a_failure_while_building_fails_the_report_with_its_reason(world: ReportsWorld):
    world.writer.fail = OSError("disk full")
    report = world.build(world.ask())

    assert (report.status, report.failure, report.file) == (
        ReportStatus.FAILED,
        "OSError: disk full",
        None,
    )
    assert world.uow.dispatched == []
    assert world.audited()[-1] == "reports.failed"


def test_a_project_report_of_a_project_without_figures_fails_not_found(world: ReportsWorld):
    report = world.build(
        world.ask(FINANCE, ReportKind.PROJECT, organization_id=None, project_id=PID)
    )
    assert (report.status, report.failure) == (ReportStatus.FAILED, "project not found")


def test_a_rerun_finds_its_work_done_and_a_crashed_run_is_built_again(world: ReportsWorld):
    report = world.build(world.ask())
    world.build(report)
    assert len(world.writer.written) == 1

    crashed = world.ask()
    with world.uow:
        stuck = world.uow.reports.get_for_update(crashed.id)
        assert stuck is not None
        stuck.move(ReportStatus.RUNNING, world.clock.now())
        world.uow.reports.save(stuck)
        world.uow.commit()
    assert world.build(crashed).status == ReportStatus.READY


def test_an_audit_trail_lists_the_organizations_entries_of_the_period(world: ReportsWorld):
    def entry(seq: int, org: str, month: int) -> AuditEntry:
        return AuditEntry(
            seq, f"a{seq}", at(5).replace(month=month), "x.y", "t", "e", None, org, None,
            None, None, "0" * 64, f"{seq:064d}",
        )  # fmt: skip

    world.figures.audit = [entry(1, ORG, 3), entry(2, "other", 3), entry(3, ORG, 4)]
    world.build(world.ask(kind=ReportKind.AUDIT_TRAIL))
    assert [r[0] for r in _doc(world)["rows"]] == [1]


def test_a_custom_report_has_one_column_per_metric_and_spend_per_currency(world: ReportsWorld):
    world.figures.custom = [
        CustomRow("BR", 6_000, 10_000, 1, (Money.of("150.50", "EUR"), Money.of("40", "USD"))),
        CustomRow("SE", 3_500, 0, 1, ()),
    ]
    spec = CustomSpec(("tonnes_retired", "spend", "retirements_count"), (), "country")
    world.build(world.ask(kind=ReportKind.CUSTOM, custom=spec))
    doc = _doc(world)
    assert doc["columns"] == [
        "country",
        "tonnes_retired",
        "spend_EUR",
        "spend_USD",
        "retirements_count",
    ]
    assert doc["rows"] == [["BR", "6.000", "150.50", "40.00", 1], ["SE", "3.500", "0", "0", 1]]
    assert doc["charts"] == ["tonnes_retired"]


class Outbox:
    def __init__(self) -> None:
        self.sent: list = []

    def send(self, message) -> None:
        self.sent.append(message)


def test_the_email_carries_a_signed_link_never_the_file(world: ReportsWorld):
    report = world.build(world.ask(email="cfo@example.com"))
    mailer = Outbox()
    jobs.email_link(
        report.id,
        uow=world.uow,
        mailer=mailer,
        link_key=world.storage.link_key,
        base_url="https://carbon.example/",
        clock=world.clock,
    )
    (message,) = mailer.sent
    assert message.to == "cfo@example.com"
    assert f"https://carbon.example/api/v1/reports/{report.id}/download?expires=" in message.text
    assert "signature=" in message.text
    assert json.loads(world.writer.files[0].data)["title"] not in message.text


def test_no_email_without_an_address_or_before_the_report_is_ready(world: ReportsWorld):
    mailer = Outbox()
    for report in (world.build(world.ask()), world.ask(email="cfo@example.com")):
        jobs.email_link(
            report.id,
            uow=world.uow,
            mailer=mailer,
            link_key=b"k",
            base_url="http://x",
            clock=world.clock,
        )
    assert mailer.sent == []
