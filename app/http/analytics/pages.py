"""`GET /stats`: the public statistics with charts; `/dashboard`: a sign-in form (email
and password), then the platform's dashboard for platform admins or an organization's for
its members, with range and granularity controls. HTML for people, outside the API: no
script (forms are posted or sent as GET), inline CSS, charts as server-drawn SVG, a
strict Content-Security-Policy. The session is the access token in an HttpOnly,
SameSite=Strict cookie, checked like a bearer token on every page."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, make_response, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from app.domain.analytics import services
from app.domain.analytics.model import Granularity, Range
from app.domain.auth import services as auth
from app.domain.auth import sessions
from app.domain.auth.principal import Principal
from app.domain.auth.services import ClientInfo
from app.domain.shared.errors import DomainError, InvalidValue
from app.http.analytics.deps import analytics_reads, today
from app.http.analytics.page_view import page_board
from app.http.common.auth import decode, issue_tokens
from app.http.common.deps import platform, uow

NO_DASHBOARD = "This account has no dashboard: it is no platform admin and in no organization."
pages = Blueprint("analytics_pages", __name__, template_folder="templates")
COOKIE = "dashboard_session"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def _html(body: str, status: int = 200) -> Response:
    response = make_response(body, status)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _query() -> dict[str, str]:
    args = request.args
    granularity = args.get("granularity", "day")
    return {
        "from": args.get("from", "")[:10],
        "to": args.get("to", "")[:10],
        "granularity": granularity if granularity in Granularity.__members__.values() else "day",
    }


def _range(query: dict[str, str]) -> Range:
    """The range of the page's controls (`DomainError` with what is wrong)."""
    try:
        first = date.fromisoformat(query["from"]) if query["from"] else None
        last = date.fromisoformat(query["to"]) if query["to"] else None
    except ValueError:
        raise InvalidValue("Dates are written YYYY-MM-DD.") from None
    return Range.of(first, last, Granularity(query["granularity"]), today=today())


@pages.get("/stats")
def stats() -> Response:
    query = _query()
    try:
        with analytics_reads() as reads:
            board = services.public_stats(_range(query), reads=reads)
    except DomainError as exc:
        return _html(render_template("analytics_stats.html", query=query, problem=exc.detail), 422)
    view = page_board(board, money=False)
    return _html(render_template("analytics_stats.html", query=query, board=view, problem=None))


def _signed_in() -> Principal | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        claims = decode(token, "access")
        p = platform()
        return sessions.principal_for_session(
            claims["sub"], claims["sid"], uow=uow(), revocations=p.revocations, clock=p.clock
        )
    except DomainError:
        return None


def _sign_in_page(problem: str | None = None, email: str = "", status: int = 200) -> BaseResponse:
    return _html(render_template("analytics_sign_in.html", problem=problem, email=email), status)


@pages.get("/dashboard")
def dashboard() -> BaseResponse:
    principal = _signed_in()
    if principal is None:
        return _sign_in_page()
    orgs = list(principal.organizations)
    org = request.args.get("organization_id") or (
        None if principal.is_admin else next(iter(orgs), None)
    )
    if org is None and not principal.is_admin:
        return _html(
            render_template(
                "analytics_sign_in.html",
                problem=NO_DASHBOARD,
                email="",
            ),
            403,
        )
    query = _query()
    context: dict[str, Any] = {
        "query": query, "organizations": orgs, "organization_id": org,
        "is_admin": principal.is_admin, "board": None, "problem": None,
        "heading": f"Organization {org}" if org else "Platform dashboard",
    }  # fmt: skip
    status = 200
    try:
        with analytics_reads() as reads:
            if org:
                board = services.organization_dashboard(principal, org, _range(query), reads=reads)
            else:
                board = services.platform_dashboard(principal, _range(query), reads=reads)
        context["board"] = page_board(board, money=True)
    except DomainError as exc:
        context["problem"], status = exc.detail, 422
        if exc.code == "not_found":
            status = 404
    return _html(render_template("analytics_dashboard.html", **context), status)


@pages.post("/dashboard/sign-in")
def sign_in() -> BaseResponse:
    email = request.form.get("email", "")[:320]
    p = platform()
    try:
        grant = auth.login(
            email,
            request.form.get("password", "")[:1024],
            uow=uow(),
            hasher=p.hasher,
            clock=p.clock,
            policy=p.auth_policy,
            client=ClientInfo(request.headers.get("User-Agent"), request.remote_addr),
        )
    except DomainError as exc:
        return _sign_in_page(exc.detail, email, 401)
    response = redirect("/dashboard", 303)
    response.set_cookie(
        COOKIE,
        issue_tokens(grant)["access_token"],
        max_age=p.settings.access_token_minutes * 60,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
        path="/dashboard",
    )
    return response


@pages.post("/dashboard/sign-out")
def sign_out() -> BaseResponse:
    response = redirect("/dashboard", 303)
    response.delete_cookie(COOKIE, path="/dashboard")
    return response
