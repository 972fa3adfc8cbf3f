from __future__ import annotations

import pytest

from app.domain.notifications import services
from app.domain.notifications.errors import DigestEmailOnly, InvalidUnsubscribeToken
from app.domain.notifications.model import (
    Channel,
    Frequency,
    Preference,
    Trigger,
    effective_preferences,
)
from app.domain.notifications.tokens import read_unsubscribe_token, unsubscribe_token
from app.domain.shared.errors import PermissionDenied
from tests.fakes.notifications import FakeNotificationsUnitOfWork
from tests.unit.notifications.conftest import KEY, principal


def test_defaults_are_email_and_in_app_immediately_and_no_sms_or_push():
    prefs = {p.key: p for p in effective_preferences([])}
    assert len(prefs) == len(Trigger) * len(Channel)
    for trigger in Trigger:
        assert prefs[(trigger, Channel.EMAIL)].enabled
        assert prefs[(trigger, Channel.IN_APP)].enabled
        assert not prefs[(trigger, Channel.SMS)].enabled
        assert not prefs[(trigger, Channel.PUSH)].enabled
        assert {p.frequency for p in prefs.values()} == {Frequency.IMMEDIATE}


def test_a_daily_digest_is_for_email_only():
    Preference(Trigger.REPORT_READY, Channel.EMAIL, True, Frequency.DAILY)
    with pytest.raises(DigestEmailOnly):
        Preference(Trigger.REPORT_READY, Channel.IN_APP, True, Frequency.DAILY)


def test_setting_some_preferences_keeps_the_others_and_is_audited(
    uow: FakeNotificationsUnitOfWork,
):
    change = Preference(Trigger.PURCHASE_CONFIRMED, Channel.EMAIL, True, Frequency.DAILY)
    sms = Preference(Trigger.PURCHASE_CONFIRMED, Channel.SMS, True)
    prefs = services.set_preferences(principal("ana"), [change, sms], uow=uow)
    by_key = {p.key: p for p in prefs}
    assert by_key[change.key] == change
    assert by_key[sms.key] == sms
    assert by_key[(Trigger.REPORT_READY, Channel.EMAIL)].enabled
    assert services.get_preferences(principal("ana"), uow=uow) == prefs
    assert services.get_preferences(principal("ben"), uow=uow) == effective_preferences([])
    [entry] = uow.audit_log.entries
    assert (entry.action, entry.entity_id) == ("notifications.preferences_changed", "ana")


def test_setting_what_is_already_so_records_nothing(uow: FakeNotificationsUnitOfWork):
    same = Preference(Trigger.REPORT_READY, Channel.EMAIL, True)
    services.set_preferences(principal("ana"), [same], uow=uow)
    assert uow.audit_log.entries == []
    assert uow.notifications.prefs == {}


def test_api_keys_have_no_preferences(uow: FakeNotificationsUnitOfWork):
    from app.domain.auth.principal import Principal

    with pytest.raises(PermissionDenied):
        services.get_preferences(Principal("key", "api_key"), uow=uow)


def test_an_unsubscribe_token_names_its_user_and_trigger_and_cannot_be_altered():
    token = unsubscribe_token(KEY, "ana", "report_ready")
    assert read_unsubscribe_token(KEY, token) == ("ana", "report_ready")
    for bad in (
        token.replace("ana", "ben"),
        token.replace("report_ready", "purchase_confirmed"),
        token + "x",
        "nonsense",
        unsubscribe_token(b"other" * 8, "ana", "report_ready"),
    ):
        with pytest.raises(InvalidUnsubscribeToken):
            read_unsubscribe_token(KEY, bad)


def test_unsubscribing_turns_that_triggers_email_off_only(uow: FakeNotificationsUnitOfWork):
    token = unsubscribe_token(KEY, "ana", "report_ready")
    assert services.unsubscribe(token, key=KEY, uow=uow) == ("ana", [Trigger.REPORT_READY])
    prefs = {p.key: p for p in services.get_preferences(principal("ana"), uow=uow)}
    assert not prefs[(Trigger.REPORT_READY, Channel.EMAIL)].enabled
    assert prefs[(Trigger.REPORT_READY, Channel.IN_APP)].enabled
    assert prefs[(Trigger.PURCHASE_CONFIRMED, Channel.EMAIL)].enabled
    assert services.unsubscribe(token, key=KEY, uow=uow) == ("ana", [])  # a second click


def test_a_digests_unsubscribe_turns_off_every_daily_email(uow: FakeNotificationsUnitOfWork):
    daily = [
        Preference(t, Channel.EMAIL, True, Frequency.DAILY)
        for t in (Trigger.REPORT_READY, Trigger.CERTIFICATE_READY)
    ]
    services.set_preferences(principal("ana"), daily, uow=uow)
    token = unsubscribe_token(KEY, "ana", "digest")
    _, off = services.unsubscribe(token, key=KEY, uow=uow)
    assert sorted(off) == sorted([Trigger.REPORT_READY, Trigger.CERTIFICATE_READY])
    prefs = {p.key: p for p in services.get_preferences(principal("ana"), uow=uow)}
    assert prefs[(Trigger.PURCHASE_CONFIRMED, Channel.EMAIL)].enabled
