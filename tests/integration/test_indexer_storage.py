"""Stored chain events come back exactly as they went in: the COPY path (PostgreSQL) and
the INSERT path (SQLite) keep awkward text, big integers and booleans intact, and a
replayed range stores nothing twice."""

from __future__ import annotations

from app.domain.shared.chain import ChainEvent

AWKWARD = 'back\\slash\ttab\nnewline\r\u00e9\u6797 "quoted" \\N \\.'


def _event(block: int, index: int, **args: object) -> ChainEvent:
    return ChainEvent(
        "CreditsRetired",
        args,
        "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        block,
        "0x" + f"{block:064x}",
        "0x" + f"{block * 1000 + index:064x}",
        index,
    )


def test_events_round_trip_through_storage(make_platform):
    platform = make_platform()
    events = [
        _event(7, 0, tokenId=1, amountKg=2**256 - 1, purpose=AWKWARD, beneficiary=""),
        _event(7, 1, tokenId=2, enabled=True, holder="0x000000000000000000000000000000000000dEaD"),
        _event(9, 0, purpose="\\", beneficiary="\t"),
    ]
    with platform.uow() as uow:
        assert uow.indexer.insert_events(events) == events
        uow.commit()
    with platform.uow() as uow:
        assert uow.indexer.insert_events(events) == []  # a replay stores nothing
        stored = uow.indexer.events_after(6)
    assert [e.position for e in stored] == [(7, 0), (7, 1), (9, 0)]
    assert stored[0].args == {
        "tokenId": "1",
        "amountKg": str(2**256 - 1),
        "purpose": AWKWARD,
        "beneficiary": "",
    }
    assert stored[1].args["enabled"] is True
    assert stored[2].args == {"purpose": "\\", "beneficiary": "\t"}
    assert [(e.block_hash, e.transaction_hash, e.address, e.name) for e in stored] == [
        (e.block_hash, e.transaction_hash, e.address, e.name) for e in events
    ]
