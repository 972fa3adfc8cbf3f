"""The statistics and dashboard pages in headless Chromium, as a person uses them: the
public statistics' charts, signing in with email and password, the platform dashboard's
charts with data in them, and a change of range and granularity."""

from __future__ import annotations

import pytest

from app.domain.auth.permissions import OrgRole
from tests.integration.analytics_support import Shape, load_year
from tests.integration.browser import browser, served  # noqa: F401 (the fixture)
from tests.integration.identity import PASSWORD, signed_in
from tests.integration.market_support import organization

SHAPE = Shape(retirements=120, orders=80, sign_ins=60)
ORG = "og" + "0" * 30


@pytest.fixture
def year(app):
    load_year(app.extensions["platform"].db.engine, SHAPE)
    return app


def _bars_with_data(page, chart: str) -> int:
    values = page.locator(f"#{chart} svg rect.bar").evaluate_all(
        "rects => rects.map(r => Number(r.getAttribute('data-value')))"
    )
    return sum(1 for v in values if v > 0)


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/dashboard")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_the_public_statistics_draw_their_charts_offline(year, browser):  # noqa: F811
    with served(year) as base:
        page = browser.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        response = page.goto(f"{base}/stats?from=2025-01-01&to=2025-12-31&granularity=month")
        assert response is not None
        assert response.status == 200
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert page.locator("#chart-tonnes svg rect.bar").count() == 24  # 12 months, 2 series
        assert _bars_with_data(page, "chart-tonnes") > 6
        assert "Revenue" not in page.inner_text("body")
        assert failed == []


def test_an_admin_signs_in_sees_the_platform_and_changes_the_range(year, client, browser):  # noqa: F811
    signed_in(year, client, "admin@example.org", roles=("platform_admin",))
    with served(year) as base:
        page = browser.new_page()
        _sign_in(page, base, "admin@example.org")
        assert page.inner_text("header h1") == "Platform dashboard"
        page.fill("input[name=from]", "2025-01-01")
        page.fill("input[name=to]", "2025-12-31")
        page.select_option("select[name=granularity]", "week")
        page.get_by_role("button", name="Show").click()
        page.wait_for_load_state()
        assert "granularity=week" in page.url
        assert page.locator("#chart-users svg rect.bar").count() == 53  # 2024-12-30 .. 2025-12-28+
        assert _bars_with_data(page, "chart-tonnes") > 20
        assert _bars_with_data(page, "chart-purchases") > 10
        assert "Revenue" in page.inner_text(".figures")
        assert "Outbox backlog" in page.inner_text("#health")
        page.select_option("select[name=granularity]", "month")
        page.get_by_role("button", name="Show").click()
        page.wait_for_load_state()
        assert page.locator("#chart-purchases svg rect.bar").count() == 12


def test_a_member_sees_its_organization_and_a_wrong_password_is_refused(year, client, browser):  # noqa: F811
    member = signed_in(year, client, "member@example.org")
    organization(year, [(member, OrgRole.FINANCE)], org_id=ORG)
    with served(year) as base:
        page = browser.new_page()
        page.goto(f"{base}/dashboard")
        page.fill("input[name=email]", "member@example.org")
        page.fill("input[name=password]", "not the password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert page.locator(".problem").count() == 1
        _sign_in(page, base, "member@example.org")
        assert page.inner_text("header h1") == f"Organization {ORG}"
        page.goto(f"{base}/dashboard?from=2025-01-01&to=2025-12-31&granularity=month")
        assert _bars_with_data(page, "chart-tonnes") > 3
        assert "Revenue" not in page.inner_text(".figures")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_load_state()
        assert page.locator("input[name=password]").count() == 1
