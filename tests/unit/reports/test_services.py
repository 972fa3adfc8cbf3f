"""Asking for reports and reading them: who may report on whose figures, what a
request needs, and the signed, expiring download link."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain.reports import services
from app.domain.reports.errors import (
    InvalidLink,
    InvalidPeriod,
    InvalidReportRequest,
    LinkExpired,
    ReportNotReady,
)
from app.domain.reports.model import (
    CustomSpec,
    Period,
    ReportFormat,
    ReportKind,
    ReportStatus,
    Scope,
)
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied
from tests.fakes.documents import FakeBlobStore
from tests.unit.builders import ORG, PID
from tests.unit.reports.world import (
    ADMIN,
    API_KEY,
    AUDITOR,
    FINANCE,
    ORG_ADMIN,
    RETAIL,
    VIEWER,
    ReportsWorld,
    retirement_row,
)


@pytest.fixture
def world() -> ReportsWorld:
    return ReportsWorld()


@pytest.mark.parametrize("who", [ORG_ADMIN, FINANCE, AUDITOR, ADMIN])
def test_an_organizations_report_is_queued_for_its_admin_finance_auditor_and_admins(
    world: ReportsWorld, who
):
    report = world.ask(who)

    assert report.status == ReportStatus.QUEUED
    assert report.scope == Scope("organization", ORG)
    assert world.uow.reports.get(report.id) == report
    assert world.jobs() == ["reports.build"]
    assert world.audited() == ["reports.requested"]


def test_a_viewer_is_refused_and_an_outsider_does_not_learn_the_organization_exists(
    world: ReportsWorld,
):
    with pytest.raises(PermissionDenied):
        world.ask(VIEWER)
    with pytest.raises(NotFound):
        world.ask(RETAIL)
    assert world.jobs() == []


def test_without_an_organization_an_admin_reports_on_the_platform_and_a_user_on_itself(
    world: ReportsWorld,
):
    assert world.ask(ADMIN, organization_id=None).scope == Scope("platform")
    assert world.ask(RETAIL, organization_id=None).scope == Scope("user", RETAIL.id)
    assert world.ask(FINANCE, organization_id=None, project_id=PID).scope == Scope(
        "user", FINANCE.id, PID
    )


def test_api_keys_ask_for_no_reports(world: ReportsWorld):
    with pytest.raises(PermissionDenied):
        world.ask(API_KEY)


def test_a_project_report_needs_its_project_and_the_owner_organizations_roles(
    world: ReportsWorld,
):
    report = world.ask(AUDITOR, ReportKind.PROJECT, organization_id=None, project_id=PID)
    assert report.scope == Scope("organization", ORG, PID)
    with pytest.raises(InvalidReportRequest):
        world.ask(AUDITOR, ReportKind.PROJECT, organization_id=None)
    with pytest.raises(NotFound):
        world.ask(AUDITOR, ReportKind.PROJECT, organization_id=None, project_id="nope")
    with pytest.raises(PermissionDenied):
        world.ask(VIEWER, ReportKind.PROJECT, organization_id=None, project_id=PID)


def test_custom_reports_take_only_the_listed_metrics_filters_and_groupings(world: ReportsWorld):
    ok = CustomSpec(("tonnes_retired", "spend"), (("country", "BR"),), "month")
    assert world.ask(kind=ReportKind.CUSTOM, custom=ok).custom == ok
    for wrong in (
        CustomSpec(()),
        CustomSpec(("carbon_intensity",)),
        CustomSpec(("spend",), (("colour", "red"),)),
        CustomSpec(("spend",), (), "weekday"),
    ):
        with pytest.raises(InvalidReportRequest):
            world.ask(kind=ReportKind.CUSTOM, custom=wrong)
    with pytest.raises(InvalidReportRequest, match="custom"):
        world.ask(custom=CustomSpec(("spend",)))


def test_a_period_ends_after_it_starts_and_lasts_at_most_ten_years():
    assert Period(date(2026, 1, 1), date(2026, 1, 1)).until - Period(
        date(2026, 1, 1), date(2026, 1, 1)
    ).since == timedelta(days=1)
    with pytest.raises(InvalidPeriod):
        Period(date(2026, 2, 1), date(2026, 1, 31))
    with pytest.raises(InvalidPeriod):
        Period(date(2010, 1, 1), date(2026, 1, 1))


def test_a_report_is_read_by_who_asked_admins_and_the_organizations_readers(
    world: ReportsWorld,
):
    report = world.ask(FINANCE)
    for who in (FINANCE, AUDITOR, ORG_ADMIN, ADMIN):
        assert services.get_report(who, report.id, uow=world.uow).id == report.id
    for who in (VIEWER, RETAIL):
        with pytest.raises(NotFound):
            services.get_report(who, report.id, uow=world.uow)
    mine = world.ask(RETAIL, organization_id=None)
    with pytest.raises(NotFound):
        services.get_report(FINANCE, mine.id, uow=world.uow)


def test_the_list_is_the_callers_own_newest_first(world: ReportsWorld):
    first = world.ask(FINANCE)
    world.clock.advance(minutes=1)
    second = world.ask(FINANCE, fmt=ReportFormat.CSV)
    world.ask(AUDITOR)
    found, total = services.list_reports(FINANCE, offset=0, limit=10, uow=world.uow)
    assert ([r.id for r in found], total) == ([second.id, first.id], 2)


def test_the_download_link_serves_the_decrypted_file_until_it_expires(world: ReportsWorld):
    world.retired(retirement_row(1, 2_500))
    report = world.build(world.ask())
    link = services.download_link(report, key=world.storage.link_key, now=world.clock.now())
    assert link.expires_at == world.clock.now() + services.LINK_TTL
    expires, signature = link.expires, link.path.rsplit("signature=", 1)[1]

    def fetch(expires_at: int, sig: str) -> services.ReportFile:
        return services.download(
            report.id,
            expires=expires_at,
            signature=sig,
            uow=world.uow,
            storage=world.storage,
            clock=world.clock,
        )

    got = fetch(expires, signature)
    assert b"".join(got.chunks) == world.writer.files[0].data
    assert got.size == len(world.writer.files[0].data)
    assert (got.filename, got.content_type) == (
        "esg_summary_2026-03-01_2026-03-31.json",
        "application/json",
    )

    with pytest.raises(InvalidLink):
        fetch(expires + 3600, signature)  # a later expiry is not what was signed
    with pytest.raises(InvalidLink):
        fetch(expires, "0" * 64)
    world.clock.advance(hours=1)
    with pytest.raises(LinkExpired):
        fetch(expires, signature)


def test_a_link_to_a_report_not_built_yet_is_not_ready(world: ReportsWorld):
    report = world.ask()
    with pytest.raises(ReportNotReady):
        world.download(report)


def test_an_altered_stored_file_is_an_integrity_error_before_anything_is_sent(
    world: ReportsWorld,
):
    world.retired(retirement_row(1, 2_500))
    report = world.build(world.ask())
    assert report.file is not None
    store = world.storage.store
    assert isinstance(store, FakeBlobStore)
    blob = bytearray(store.objects[report.file.locator])
    blob[3] ^= 0x01
    store.objects[report.file.locator] = bytes(blob)

    with pytest.raises(Conflict) as raised:
        world.download(report)
    assert raised.value.code == "integrity_error"
