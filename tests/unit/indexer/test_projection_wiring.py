"""Which projection follows which decoded event: the wiring in
`app.domain.indexer.projection`, pinned event by event for everything the platform
contracts emit."""

from __future__ import annotations

from dataclasses import replace

from app.adapters.chain.events import platform_decoder
from app.domain.indexer.projection import PROJECTIONS, PlatformProjector, projections_for
from app.domain.shared.chain import ChainEvent
from tests.fakes.clock import FakeClock
from tests.fakes.ledger import FakeLedgerUoW
from tests.unit.builders import NOW

WIRING = {
    "CreditsMinted": ("ledger",),
    "CreditsTransferred": ("ledger", "marketplace"),
    "CreditsRetired": ("ledger",),
    "ProjectRecordMinted": ("project registration",),
    "ProjectConfigured": (),
    "ProjectSuspended": (),
    "OperatorSet": (),
    "OwnershipTransferred": (),
    "ProposalCreated": ("governance",),
    "ProposalExecuted": ("governance",),
    "VoteCast": ("governance",),
}


def event(name: str, log_index: int) -> ChainEvent:
    return ChainEvent(name, {}, "0xregistry", 7, "0xblock", f"0xtx{log_index}", log_index)


def test_every_event_the_contracts_emit_feeds_the_projections_pinned_here():
    assert set(platform_decoder().topics) == set(WIRING)
    assert {name: projections_for(name) for name in WIRING} == WIRING


def test_each_projection_gets_the_batch_events_it_follows_in_order():
    calls: list[tuple[str, list[str], int]] = []

    def recorder(name: str):
        def apply(events, _uow, sign, _clock):
            calls.append((name, [f"{e.name}#{e.log_index}" for e in events], sign))

        return apply

    projector = PlatformProjector(
        FakeClock(NOW), tuple(replace(p, apply=recorder(p.name)) for p in PROJECTIONS)
    )
    names = ["ProjectRecordMinted", "VoteCast", "CreditsMinted", "CreditsRetired", "VoteCast"]
    batch = [event(name, i) for i, name in enumerate(names)]

    projector(batch, FakeLedgerUoW(), -1)

    assert calls == [
        ("ledger", ["CreditsMinted#2", "CreditsRetired#3"], -1),
        ("project registration", ["ProjectRecordMinted#0"], -1),
        ("governance", ["VoteCast#1", "VoteCast#4"], -1),
    ]


def test_a_batch_of_unprojected_events_runs_no_projection():
    calls: list[str] = []
    recording = [
        replace(p, apply=lambda *_args, name=p.name: calls.append(name)) for p in PROJECTIONS
    ]
    projector = PlatformProjector(FakeClock(NOW), recording)

    projector([event("OwnershipTransferred", 0), event("OperatorSet", 1)], FakeLedgerUoW(), 1)

    assert calls == []
