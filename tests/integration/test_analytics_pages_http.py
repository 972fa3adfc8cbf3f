"""The statistics and dashboard pages over plain HTTP: charts drawn as SVG, the CSP, a
bad range explained on the page, and the dashboard's cookie session."""

from __future__ import annotations

from tests.integration.identity import PASSWORD, signed_in


def test_the_statistics_page_draws_svg_under_a_strict_csp(client):
    response = client.get("/stats?granularity=week")
    assert response.status_code == 200
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    body = response.get_data(as_text=True)
    assert body.count("<svg") == 3
    assert "<script" not in body


def test_a_bad_range_is_explained_on_the_page(client):
    response = client.get("/stats?from=2026-02-01&to=2026-01-01")
    assert response.status_code == 422
    assert "is after" in response.get_data(as_text=True)
    assert client.get("/stats?from=someday").status_code == 422


def test_the_dashboard_signs_in_with_a_form_and_keeps_an_http_only_cookie(app, client):
    signed_in(app, client, "admin@example.org", roles=("platform_admin",))
    assert 'name="password"' in client.get("/dashboard").get_data(as_text=True)
    wrong = client.post("/dashboard/sign-in", data={"email": "admin@example.org", "password": "x"})
    assert wrong.status_code == 401
    ok = client.post(
        "/dashboard/sign-in", data={"email": "admin@example.org", "password": PASSWORD}
    )
    assert ok.status_code == 303
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    page = client.get("/dashboard?granularity=month")
    assert page.status_code == 200
    assert "Platform dashboard" in page.get_data(as_text=True)
    client.post("/dashboard/sign-out")
    assert 'name="password"' in client.get("/dashboard").get_data(as_text=True)


def test_someone_in_no_organization_has_no_dashboard(app, client):
    signed_in(app, client, "nobody@example.org")
    client.post("/dashboard/sign-in", data={"email": "nobody@example.org", "password": PASSWORD})
    assert client.get("/dashboard").status_code == 403
