"""Closed sets of strings are `StrEnum`s or `Literal`s whose values are what is stored and
served, unchanged."""

from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

from app.domain.auth.model import NoncePurpose, SessionMethod, TokenPurpose
from app.domain.auth.principal import PrincipalKind
from app.domain.auth.results import MemberStatus
from app.domain.credits.model import OwnerKind
from app.domain.documents.model import AccessAction
from app.domain.poai.bundle_shape import MODES
from app.domain.poai.model import CaseHistoryEntry, CaseStatus, Mode
from app.domain.shared.chain import DepthStatus
from app.ports.repositories.projects import ProjectSort

APP = Path(__file__).resolve().parents[2] / "app"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_the_literal_types_keep_the_stored_values():
    assert get_args(PrincipalKind) == ("user", "api_key")
    assert get_args(SessionMethod) == ("password", "siwe")
    assert get_args(TokenPurpose) == ("verify_email", "reset_password")
    assert get_args(NoncePurpose) == ("login", "link")
    assert get_args(MemberStatus) == ("active", "invited")
    assert get_args(OwnerKind) == ("user", "organization")
    assert get_args(AccessAction) == ("upload", "link", "download")
    assert get_args(DepthStatus) == ("confirmed", "pending")
    assert set(get_args(ProjectSort)) == {
        "relevance",
        *(f"{sign}{key}" for sign in ("", "-") for key in ("name", "created", "vintage")),
    }


def test_the_proof_bundle_knows_the_checklists_modes():
    assert frozenset({"automated", "manual"}) == MODES == frozenset(Mode)


def test_case_history_holds_statuses_that_read_as_their_values():
    entry = CaseHistoryEntry("c1", 1, None, CaseStatus.IN_REVIEW, None, None, NOW)
    assert entry.to_status == "in_review"
    assert str(entry.to_status) == "in_review"


def test_no_enum_is_left_as_a_comment_in_the_domain():
    commented = [
        p.relative_to(APP).as_posix()
        for p in (APP / "domain").rglob("*.py")
        if '" | "' in p.read_text(encoding="utf-8")
    ]
    assert commented == []
