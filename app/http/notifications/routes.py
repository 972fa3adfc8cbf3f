"""Notifications: the signed-in user's in-app list and read marks, preferences per
trigger and channel, one-click unsubscribe (RFC 8058) and, for platform admins, the
deliveries that failed for good."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from flask import Response, request

from app.domain.notifications import services
from app.domain.notifications.model import (
    Channel,
    Delivery,
    Frequency,
    Notification,
    Preference,
    Trigger,
)
from app.domain.notifications.tokens import read_unsubscribe_token
from app.http.common.auth import current_principal, public, requires
from app.http.common.blueprint import ApiBlueprint
from app.http.common.deps import platform, uow
from app.http.common.openapi import rule_codes
from app.http.common.pagination import Page, paginated
from app.http.notifications import schemas as s

blp = ApiBlueprint("notifications", __name__, description="Notifications and their preferences")


@blp.route("/notifications", methods=["GET"])
@requires("profile:read")
@blp.arguments(s.NotificationArgs, location="query")
@blp.response(200, s.NotificationSchema(many=True))
@paginated(blp)
def notifications(args: dict[str, Any], page: Page) -> tuple[Sequence[Notification], int]:
    """Your in-app notifications, newest first (`unread=true`: only those not read)."""
    return services.list_notifications(
        current_principal(), unread=args.get("unread"), offset=page.offset, limit=page.limit,
        uow=uow(),
    )  # fmt: skip


@blp.route("/notifications/<notification_id>/read", methods=["POST"])
@requires("profile:update")
@blp.response(200, s.NotificationSchema)
def read(notification_id: str) -> Notification:
    """Mark one of your notifications read (another user's is not found)."""
    return services.mark_read(
        current_principal(), notification_id, uow=uow(), clock=platform().clock
    )


@blp.route("/notifications/read-all", methods=["POST"])
@requires("profile:update")
@blp.response(200, s.ReadAllSchema)
def read_all() -> dict[str, int]:
    """Mark all your notifications read."""
    marked = services.mark_all_read(current_principal(), uow=uow(), clock=platform().clock)
    return {"marked": marked}


def _preferences(unit: Any) -> dict[str, Any]:
    principal = current_principal()
    items = services.get_preferences(principal, uow=unit)
    return {
        "items": [
            {
                "trigger": p.trigger.value,
                "channel": p.channel.value,
                "enabled": p.enabled,
                "frequency": p.frequency.value,
            }
            for p in items
        ],
        "timezone": services.get_timezone(principal, uow=unit),
    }


@blp.route("/me/notification-preferences", methods=["GET"])
@requires("profile:read")
@blp.response(200, s.PreferencesSchema)
def preferences() -> dict[str, Any]:
    """What you receive, per trigger and channel: every pair, stored or default (email
    and in-app on and immediate; SMS and push off). Security emails (email
    verification, password reset) are not listed: they cannot be turned off."""
    return _preferences(uow())


@blp.route("/me/notification-preferences", methods=["PUT"])
@requires("profile:update")
@rule_codes("digest_email_only", "invalid_timezone")
@blp.arguments(s.PreferencesSchema)
@blp.response(200, s.PreferencesSchema)
def set_preferences(body: dict[str, Any]) -> dict[str, Any]:
    """Change the pairs given (the others stay) and, when given, the time zone of the
    daily digest. `daily` is for email only (`422 digest_email_only`)."""
    unit = uow()
    changes = [
        Preference(
            Trigger(i["trigger"]), Channel(i["channel"]), i["enabled"], Frequency(i["frequency"])
        )
        for i in body["items"]
    ]
    if "timezone" in body:
        services.set_timezone(current_principal(), body["timezone"], uow=unit)
    services.set_preferences(current_principal(), changes, uow=unit)
    return _preferences(unit)


@blp.route("/notifications/unsubscribe", methods=["POST"])
@public
@rule_codes("invalid_unsubscribe_token")
@blp.arguments(s.UnsubscribeArgs, location="query")
@blp.response(200, s.UnsubscribedSchema)
def unsubscribe(args: dict[str, Any]) -> dict[str, list[str]]:
    """One click (RFC 8058 `List-Unsubscribe-Post`): the email of the link's trigger is
    turned off (a digest's link: every email set to daily). No sign-in: the signed
    token in the link is the proof."""
    key = platform().notify_outlets.unsubscribe_key
    _, off = services.unsubscribe(args["token"], key=key, uow=uow())
    return {"unsubscribed": [t.value for t in off]}


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Unsubscribe</title></head>
<body style="font-family:Helvetica,Arial,sans-serif;max-width:32em;margin:3em auto;">
<h1 style="color:#1f6f4a;">Unsubscribe</h1>
<p>Stop the emails about <strong>{what}</strong>? In-app notifications stay.</p>
<form method="post" action="{action}"><button type="submit">Unsubscribe</button></form>
</body></html>"""


@blp.route("/notifications/unsubscribe", methods=["GET"])
@public
@rule_codes("invalid_unsubscribe_token")
@blp.arguments(s.UnsubscribeArgs, location="query")
@blp.alt_response(200, description="A page that asks to confirm", content_type="text/html")
def unsubscribe_page(args: dict[str, Any]) -> Response:
    """The page an unsubscribe link opens in a browser: a button that confirms (a GET
    changes nothing, so link scanners do not unsubscribe anyone)."""
    _, trigger = read_unsubscribe_token(platform().notify_outlets.unsubscribe_key, args["token"])
    what = "your daily digest" if trigger == "digest" else trigger.replace("_", " ")
    page = PAGE.format(what=escape(what), action=escape(request.full_path))
    return Response(page, mimetype="text/html")


@blp.route("/admin/notifications/failures", methods=["GET"])
@requires("users:read")
@blp.response(200, s.FailureSchema(many=True))
@paginated(blp)
def failures(page: Page) -> tuple[Sequence[Delivery], int]:
    """Deliveries that failed for good (a permanent refusal, or out of attempts), newest
    first, with the last error: platform admins only."""
    return services.list_failures(
        current_principal(), offset=page.offset, limit=page.limit, uow=uow()
    )
