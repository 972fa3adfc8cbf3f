"""The chain adapters against the in-process EVM and a real anvil node: same tests, both."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from web3 import Web3

from app.adapters.chain.embedded import EmbeddedChain
from app.adapters.chain.events import decode_log
from app.adapters.chain.governance import Web3GovernanceCalls
from app.adapters.chain.rpc import (
    Deployment,
    Web3ChainReader,
    Web3RegistryCalls,
    deploy,
    project_key,
)
from app.adapters.chain.transactions import Web3ChainWriter
from app.domain.chain.errors import CallReverted as TransactionReverted
from app.ports.chain import Receipt
from tests.integration.chain_support import DirectOperator

if TYPE_CHECKING:
    from tests.integration.chain_node import AnvilNode

pytest_plugins = ["tests.integration.chain_node"]

BUNDLE = bytes(range(32))
ALICE = Web3.to_checksum_address("0x" + "a1" * 20)
BOB = Web3.to_checksum_address("0x" + "b2" * 20)


@dataclass
class Chain:
    w3: Web3
    reader: Web3ChainReader
    operator: DirectOperator
    deployment: Deployment
    snapshot: Callable[[], Any]
    revert: Callable[[Any], None]
    mine: Callable[[int], None]

    @property
    def contracts(self) -> list[str]:
        return [self.deployment.registry_address, self.deployment.governance_address]

    @property
    def governance(self) -> DirectOperator:
        calls = Web3GovernanceCalls(self.deployment.governance_address)
        return DirectOperator(self.w3, calls, self.operator.writer)

    def timestamp(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])


def _embedded() -> Chain:
    chain = EmbeddedChain()
    operator = DirectOperator(chain.w3, chain.calls, chain.writer)
    return Chain(
        chain.w3, chain.reader, operator, chain.deployment, chain.snapshot, chain.revert,
        chain.mine,
    )  # fmt: skip


def _on_anvil(node: AnvilNode) -> Chain:
    w3 = Web3(Web3.HTTPProvider(node.rpc_url))
    writer = Web3ChainWriter(w3, node.private_key)
    deployment = deploy(writer)
    calls = Web3RegistryCalls(deployment.registry_address, deployment.governance_address)
    operator = DirectOperator(w3, calls, writer)

    def revert(snapshot_id: Any) -> None:
        assert w3.provider.make_request("evm_revert", [snapshot_id])["result"] is True

    return Chain(
        w3=w3,
        reader=Web3ChainReader(w3),
        operator=operator,
        deployment=deployment,
        snapshot=lambda: w3.provider.make_request("evm_snapshot", [])["result"],
        revert=revert,
        mine=lambda blocks: w3.provider.make_request("anvil_mine", [hex(blocks)]),
    )


@pytest.fixture(params=["embedded", "anvil"])
def chain(request: pytest.FixtureRequest) -> Iterator[Chain]:
    if request.param == "anvil":
        yield _on_anvil(request.getfixturevalue("anvil"))
    else:
        yield _embedded()


def events(receipt: Receipt) -> list[tuple[str, dict[str, Any]]]:
    return [(e.name, e.args) for e in map(decode_log, receipt.logs)]


def key_hex(project_id: str) -> str:
    return "0x" + project_key(project_id).hex()


def _register_and_mint(chain: Chain, token_id: int = 101, amount_kg: int = 10_000) -> None:
    chain.operator.register_project("proj-1", BUNDLE, "ipfs://meta/1")
    chain.operator.mint_batch(
        token_id=token_id, project_id="proj-1", vintage=2022, amount_kg=amount_kg,
        serial_start=1, serial_end=amount_kg // 1000, to=ALICE,
    )  # fmt: skip


def test_project_key_is_the_keccak_of_the_utf8_project_id() -> None:
    assert project_key("proj-1") == Web3.keccak(text="proj-1")
    assert project_key("Café") == Web3.keccak("Café".encode())


def test_registry_writes_emit_their_events_and_move_balances(chain: Chain) -> None:
    op = chain.operator
    registered = op.register_project("proj-1", BUNDLE, "ipfs://meta/1")
    minted = op.mint_batch(
        token_id=101, project_id="proj-1", vintage=2022, amount_kg=10_000,
        serial_start=1, serial_end=10, to=ALICE,
    )  # fmt: skip
    moved = op.transfer(101, ALICE, BOB, 4_000)
    retired = op.retire(
        token_id=101, holder=BOB, kg_start=5_000, kg_end=7_999, beneficiary="Acme GmbH",
        purpose="2024 travel",
    )  # fmt: skip

    assert events(registered) == [
        ("ProjectRecordMinted", {
            "projectKey": key_hex("proj-1"), "bundleHash": "0x" + BUNDLE.hex(),
            "metadataUri": "ipfs://meta/1",
        }),
    ]  # fmt: skip
    assert events(minted) == [
        ("CreditsMinted", {
            "tokenId": 101, "projectKey": key_hex("proj-1"), "to": ALICE, "vintage": 2022,
            "amountKg": 10_000, "serialStart": 1, "serialEnd": 10,
        }),
    ]  # fmt: skip
    assert events(moved) == [
        ("CreditsTransferred", {"tokenId": 101, "from": ALICE, "to": BOB, "amountKg": 4_000})
    ]
    assert events(retired) == [
        ("CreditsRetired", {
            "tokenId": 101, "holder": BOB, "amountKg": 3_000, "beneficiary": "Acme GmbH",
            "purpose": "2024 travel", "serialStart": 5, "serialEnd": 7,
            "kgStart": 5_000, "kgEnd": 7_999,
        }),
    ]  # fmt: skip
    receipts = [registered, minted, moved, retired]
    assert all(r.status == 1 for r in receipts)
    assert [r.block_number for r in receipts] == sorted({r.block_number for r in receipts})
    assert chain.reader.receipt(retired.transaction_hash) == retired
    assert (op.balance_of(ALICE, 101), op.balance_of(BOB, 101)) == (6_000, 1_000)


def test_a_suspended_project_mints_nothing_until_it_is_configured_again(chain: Chain) -> None:
    op = chain.operator
    op.register_project("proj-1", BUNDLE, "ipfs://meta/1")
    suspended = op.suspend_project("proj-1", "PoAI case reopened")
    with pytest.raises(TransactionReverted, match="ProjectIsSuspended"):
        op.mint_batch(
            token_id=1, project_id="proj-1", vintage=2022, amount_kg=1_000,
            serial_start=1, serial_end=1, to=ALICE,
        )  # fmt: skip
    configured = op.configure_project("proj-1", bytes(32), "ipfs://meta/2")
    op.mint_batch(
        token_id=1, project_id="proj-1", vintage=2022, amount_kg=1_000,
        serial_start=1, serial_end=1, to=ALICE,
    )  # fmt: skip

    assert events(suspended) == [
        ("ProjectSuspended", {"projectKey": key_hex("proj-1"), "reason": "PoAI case reopened"})
    ]
    assert events(configured) == [
        ("ProjectConfigured", {
            "projectKey": key_hex("proj-1"), "bundleHash": "0x" + "00" * 32,
            "metadataUri": "ipfs://meta/2",
        }),
    ]  # fmt: skip
    assert op.balance_of(ALICE, 1) == 1_000


def test_logs_come_ordered_by_block_and_index_filtered_by_address_and_range(
    chain: Chain,
) -> None:
    op, reader = chain.operator, chain.reader
    receipts = [op.register_project(f"proj-{i}", BUNDLE, f"ipfs://{i}") for i in range(3)]
    receipts.append(chain.governance.propose(BUNDLE, ALICE, int(time.time()) + 600, 1))
    receipts.append(op.register_project("proj-3", BUNDLE, "ipfs://3"))
    first, head = receipts[0].block_number, reader.head()
    registry, governance = chain.contracts

    both = reader.logs(first, head, [registry, governance])
    assert both == [log for r in receipts for log in r.logs]
    assert [(g.block_number, g.log_index) for g in both] == sorted(
        (g.block_number, g.log_index) for g in both
    )
    only_registry = reader.logs(first, head, [registry.lower()])
    assert only_registry == [log for log in both if log.address == registry]
    assert reader.logs(first, head, [governance]) == list(receipts[3].logs)
    middle = receipts[1].block_number
    assert reader.logs(middle, middle, [registry]) == list(receipts[1].logs)
    assert reader.logs(head + 1, head + 100, [registry]) == []
    assert reader.logs(first, head, []) == []
    deployed = reader.logs(chain.deployment.block_number, first - 1, [registry])
    assert [decode_log(log).name for log in deployed] == ["OwnershipTransferred", "OperatorSet"]


def test_block_headers_link_each_block_to_the_previous_one(chain: Chain) -> None:
    _register_and_mint(chain)
    reader = chain.reader
    head = reader.head()
    headers = [reader.block(n) for n in range(head + 1)]

    assert all(h is not None for h in headers)
    for parent, child in itertools.pairwise(headers):
        assert parent is not None
        assert child is not None
        assert child.parent_hash == parent.hash
        assert child.timestamp >= parent.timestamp
    assert reader.block(head + 1) is None
    for log in reader.logs(0, head, chain.contracts):
        header = headers[log.block_number]
        assert header is not None
        assert header.hash == log.block_hash
    assert reader.chain_id() == chain.w3.eth.chain_id


def test_minting_a_token_id_twice_is_refused(chain: Chain) -> None:
    _register_and_mint(chain, token_id=7)
    head = chain.reader.head()
    with pytest.raises(TransactionReverted, match="TokenAlreadyMinted") as refused:
        chain.operator.mint_batch(
            token_id=7, project_id="proj-1", vintage=2023, amount_kg=1_000,
            serial_start=11, serial_end=11, to=BOB,
        )  # fmt: skip
    assert refused.value.action == "CarbonRegistry.mintBatch"
    assert chain.reader.head() == head  # refused before sending: nothing mined
    assert chain.operator.balance_of(BOB, 7) == 0


def test_retiring_more_than_the_balance_is_refused(chain: Chain) -> None:
    _register_and_mint(chain, amount_kg=5_000)
    chain.operator.transfer(101, ALICE, BOB, 1)
    with pytest.raises(TransactionReverted, match="InsufficientBalance"):
        chain.operator.retire(
            token_id=101, holder=ALICE, kg_start=1_000, kg_end=5_999, beneficiary="Acme",
            purpose="offset",
        )  # fmt: skip
    assert chain.operator.balance_of(ALICE, 101) == 4_999


def test_a_longer_branch_after_a_revert_replaces_the_block_hashes(chain: Chain) -> None:
    """What the indexer's reorg detection sees: same height, another hash."""
    reader, op = chain.reader, chain.operator
    base = reader.head()
    snapshot = chain.snapshot()
    orphaned = op.register_project("proj-orphan", BUNDLE, "ipfs://old")
    old_header = reader.block(orphaned.block_number)
    assert old_header is not None
    assert old_header.hash == orphaned.block_hash

    chain.revert(snapshot)
    chain.mine(3)

    assert reader.head() == base + 3
    new_header = reader.block(orphaned.block_number)
    assert new_header is not None
    assert new_header.hash != old_header.hash
    assert reader.logs(base + 1, base + 3, chain.contracts) == []
    assert reader.receipt(orphaned.transaction_hash) is None
    again = op.register_project("proj-orphan", BUNDLE, "ipfs://new")
    assert again.block_number == base + 4
    assert reader.logs(base + 1, base + 4, chain.contracts) == list(again.logs)


def test_a_native_balance_is_read_as_of_a_block(chain: Chain) -> None:
    payer, payee = chain.w3.eth.accounts[1], Web3.to_checksum_address("0x" + "ab" * 20)
    first = chain.w3.eth.send_transaction({"from": payer, "to": payee, "value": 5})
    at_first = chain.w3.eth.wait_for_transaction_receipt(first)["blockNumber"]
    chain.w3.eth.send_transaction({"from": payer, "to": payee, "value": 7})
    head = chain.reader.head()
    assert chain.reader.native_balance(payee, at_first - 1) == 0
    assert chain.reader.native_balance(payee, at_first) == 5
    assert chain.reader.native_balance(payee.lower(), head) == 12
