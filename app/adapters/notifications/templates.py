"""Notification emails from Jinja templates (`templates/<trigger>.txt` and `.html`, one
pair per trigger on a shared branded layout, and `digest.*`). HTML is autoescaped; the
text part is not (it is not markup)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from app.ports.notifier import NotificationEmail, RenderedEmail


class JinjaNotificationTemplates:
    def __init__(self) -> None:
        loader = PackageLoader("app.adapters.notifications", "templates")
        self._html = Environment(
            loader=loader, autoescape=select_autoescape(["html"]), undefined=StrictUndefined
        )
        self._text = Environment(loader=loader, autoescape=False, undefined=StrictUndefined)  # noqa: S701 (plain text)
        self._text.globals = self._html.globals = {}

    def _both(self, name: str, context: dict[str, object]) -> tuple[str, str]:
        text = self._text.get_template(f"{name}.txt").render(context)
        html = self._html.get_template(f"{name}.html").render(context)
        return text.strip() + "\n", html

    def render(self, email: NotificationEmail) -> RenderedEmail:
        context = asdict(email) | {"data": _Data(email.data)}
        text, html = self._both(email.trigger, context)
        return RenderedEmail(email.title, text, html)

    def render_digest(
        self, display_name: str, items: Sequence[NotificationEmail], unsubscribe_url: str
    ) -> RenderedEmail:
        context: dict[str, object] = {
            "display_name": display_name,
            "title": "Your daily digest",
            "items": list(items),
            "unsubscribe_url": unsubscribe_url,
        }
        text, html = self._both("digest", context)
        count = len(items)
        return RenderedEmail(
            f"Your daily digest: {count} notification{'s' if count != 1 else ''}", text, html
        )


class _Data(dict[str, object]):
    """A notification's extra facts; a missing one reads as empty, not as an error."""

    def __getattr__(self, name: str) -> object:
        return self.get(name) or ""
