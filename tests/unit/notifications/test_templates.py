from __future__ import annotations

import pytest

from app.adapters.notifications.templates import JinjaNotificationTemplates
from app.domain.notifications.model import Trigger
from app.ports.notifier import NotificationEmail

UNSUBSCRIBE = "https://carbon.example/api/v1/notifications/unsubscribe?token=t"


def email(trigger: Trigger, **data: str) -> NotificationEmail:
    return NotificationEmail(
        trigger.value, "Ana <Admin>", "A <title>", "The body & more.",
        "https://carbon.example/x", data, UNSUBSCRIBE,
    )  # fmt: skip


@pytest.mark.parametrize("trigger", list(Trigger))
def test_every_trigger_has_its_text_and_html_template(trigger: Trigger):
    rendered = JinjaNotificationTemplates().render(email(trigger))
    assert rendered.subject == "A <title>"
    assert "Hello Ana <Admin>," in rendered.text
    assert "The body & more." in rendered.text
    assert UNSUBSCRIBE in rendered.text
    assert "Ana &lt;Admin&gt;" in rendered.html  # escaped in HTML only
    assert "The body &amp; more." in rendered.html
    assert 'href="https://carbon.example/x"' in rendered.html
    assert "Carbon credit platform" in rendered.html


def test_a_certificate_email_carries_its_verification_link():
    verify = "https://carbon.example/verify/c1"
    rendered = JinjaNotificationTemplates().render(
        email(Trigger.CERTIFICATE_READY, verify_url=verify)
    )
    assert f"Verification link: {verify}" in rendered.text
    assert f'href="{verify}"' in rendered.html
    assert "Verify the certificate" in rendered.text


def test_a_digest_lists_each_notification():
    items = [email(Trigger.REPORT_READY), email(Trigger.PURCHASE_CONFIRMED)]
    rendered = JinjaNotificationTemplates().render_digest("Ana", items, UNSUBSCRIBE)
    assert rendered.subject == "Your daily digest: 2 notifications"
    assert rendered.text.count("* A <title>") == 2
    assert rendered.html.count("A &lt;title&gt;") == 2
