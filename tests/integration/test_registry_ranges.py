"""CarbonRegistry's kilogram ranges on the embedded EVM and on anvil: a kilogram retires
once, whatever the order of retirements; mints carry one serial per started tonne; reverts
name their error. Raw web3 calls on the compiled artifact, no platform adapter."""

from __future__ import annotations

import ast
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import eth_abi
import pytest
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import TransactionFailed
from eth_utils.crypto import keccak
from web3 import Web3
from web3.exceptions import ContractLogicError
from web3.providers.eth_tester import EthereumTesterProvider
from web3.types import TxReceipt

from app.adapters.chain.abi import (
    ARTIFACTS_DIR,
    LEGACY_DIR,
    LEGACY_REGISTRY,
    decode_result,
    encode_call,
    load_artifact,
)
from app.adapters.chain.events import decode_log
from app.adapters.chain.reverts import revert_error, revert_reason
from app.ports.chain import RawLog

if TYPE_CHECKING:
    from tests.integration.chain_node import AnvilNode

pytest_plugins = ["tests.integration.chain_node"]

REGISTRY = "CarbonRegistry"
PROJECT = keccak(text="proj-ranges")
BLOCK_GAS_LIMIT = 30_000_000
TX_GAS = 10_000_000


@dataclass
class Registry:
    """A freshly deployed registry; `operator` deployed it and holds what it mints."""

    w3: Web3
    address: str
    operator: str
    stranger: str  # neither holder nor operator

    def tx(self, function: str, args: Sequence[Any], sender: str | None) -> dict[str, Any]:
        data = encode_call(REGISTRY, function, args)
        return {"from": sender or self.operator, "to": self.address, "data": data, "gas": TX_GAS}

    def send(self, function: str, args: Sequence[Any], *, sender: str | None = None) -> TxReceipt:
        """Sends the call, gas fixed (no estimate, so a revert is mined); the receipt."""
        return _send(self.w3, self.tx(function, args, sender))

    def ok(self, function: str, args: Sequence[Any], *, sender: str | None = None) -> TxReceipt:
        receipt = self.send(function, args, sender=sender)
        assert receipt["status"] == 1, f"{function}{tuple(args)} reverted"
        return receipt

    def refusal(self, function: str, args: Sequence[Any], *, sender: str | None = None) -> str:
        """The revert reason of the call; the same call sent is mined as failed."""
        try:
            self.w3.eth.call(self.tx(function, args, sender))  # type: ignore[arg-type]
        except (ContractLogicError, TransactionFailed) as exc:
            reason = revert_reason(_revert_data(exc))
        else:
            pytest.fail(f"{function}{tuple(args)} did not revert")
        assert self.send(function, args, sender=sender)["status"] == 0
        return reason

    def view(self, function: str, args: Sequence[Any]) -> Any:
        data = self.w3.eth.call({"to": self.address, "data": encode_call(REGISTRY, function, args)})
        return decode_result(REGISTRY, function, bytes(data))[0]

    def mint(self, token: int, amount_kg: int, serial_start: int, serial_end: int) -> TxReceipt:
        args = (token, PROJECT, 2024, amount_kg, serial_start, serial_end, self.operator)
        return self.ok("mintBatch", args)

    def retire(self, token: int, kg_start: int, kg_end: int) -> TxReceipt:
        return self.ok("retire", (token, self.operator, kg_start, kg_end, "Acme", "offset"))

    def retire_refusal(self, token: int, kg_start: int, kg_end: int) -> str:
        return self.refusal("retire", (token, self.operator, kg_start, kg_end, "Acme", "x"))

    def retired(self, token: int, kg_start: int, kg_end: int) -> bool:
        return bool(self.view("retiredInRange", (token, kg_start, kg_end)))

    def balance(self, token: int) -> int:
        return int(self.view("balanceOf", (self.operator, token)))


def _revert_data(exc: Exception) -> bytes | str:
    """Revert data from web3 (hex in `data`) or eth-tester, whose message carries the
    Python repr of the bytes ("execution reverted: b'...'")."""
    data = getattr(exc, "data", None)
    if isinstance(data, str):
        return data
    message = str(exc.args[0]).removeprefix("execution reverted: ")
    if message.startswith(("b'", 'b"')):
        return bytes(ast.literal_eval(message))
    raise AssertionError(f"no revert data in {exc!r}")


def _send(w3: Web3, tx: dict[str, Any]) -> TxReceipt:
    tx_hash = w3.eth.send_transaction({**tx, "gas": TX_GAS})  # type: ignore[typeddict-item]
    return w3.eth.wait_for_transaction_receipt(tx_hash)


def _deploy(w3: Web3, name: str = REGISTRY, directory: Path = ARTIFACTS_DIR) -> str:
    code = "0x" + load_artifact(name, directory).bytecode.hex()
    receipt = _send(w3, {"from": w3.eth.accounts[0], "data": code})
    assert receipt["status"] == 1
    return str(receipt["contractAddress"])


def _events(receipt: TxReceipt) -> list[tuple[str, dict[str, Any]]]:
    raws = [
        RawLog(
            address=str(log["address"]),
            topics=tuple(topic.to_0x_hex() for topic in log["topics"]),
            data=bytes(log["data"]),
            block_number=log["blockNumber"],
            block_hash=log["blockHash"].to_0x_hex(),
            transaction_hash=log["transactionHash"].to_0x_hex(),
            log_index=log["logIndex"],
        )
        for log in receipt["logs"]
    ]
    return [(event.name, event.args) for event in map(decode_log, raws)]


def _embedded_w3() -> Web3:
    return Web3(EthereumTesterProvider(EthereumTester(PyEVMBackend(), auto_mine_transactions=True)))


@pytest.fixture(params=["embedded", "anvil"])
def w3(request: pytest.FixtureRequest) -> Iterator[Web3]:
    if request.param == "anvil":
        node: AnvilNode = request.getfixturevalue("anvil")
        yield Web3(Web3.HTTPProvider(node.rpc_url, request_kwargs={"timeout": 30}))
    else:
        yield _embedded_w3()


@pytest.fixture
def registry(w3: Web3) -> Registry:
    operator, stranger = list(w3.eth.accounts)[:2]
    chain = Registry(w3, _deploy(w3), operator, stranger)
    chain.ok("registerProject", (PROJECT, bytes(32), "ipfs://meta/ranges"))
    return chain


def _retired_event(receipt: TxReceipt) -> dict[str, Any]:
    ((name, args),) = _events(receipt)
    assert name == "CreditsRetired"
    return args


def test_half_tonnes_of_one_serial_retire_one_after_the_other(registry: Registry) -> None:
    registry.mint(1, 2_000, 4, 5)

    first = _retired_event(registry.retire(1, 4_000, 4_499))
    second = _retired_event(registry.retire(1, 4_500, 4_999))

    assert (first["amountKg"], first["serialStart"], first["serialEnd"]) == (500, 4, 4)
    assert (second["kgStart"], second["kgEnd"], second["serialEnd"]) == (4_500, 4_999, 4)
    assert registry.balance(1) == 1_000
    assert int(registry.view("retiredKg", (1,))) == 1_000
    assert int(registry.view("totalSupply", (1,))) == 1_000
    assert registry.retired(1, 4_000, 4_999)
    assert not registry.retired(1, 5_000, 5_999)


def test_overlapping_ranges_are_refused_with_kilograms_already_retired(
    registry: Registry,
) -> None:
    registry.mint(3, 10_000, 1, 10)
    registry.retire(3, 1_000, 1_499)  # half of serial 1
    registry.retire(3, 5_000, 7_999)  # serials 5..7 whole

    assert registry.retire_refusal(3, 1_000, 1_499) == (
        "KilogramsAlreadyRetired(tokenId=3, kgStart=1000, kgEnd=1499)"
    )
    assert registry.retire_refusal(3, 1_400, 1_600).startswith("KilogramsAlreadyRetired(")
    assert registry.retire_refusal(3, 1_000, 1_999).startswith("KilogramsAlreadyRetired(")
    assert registry.retire_refusal(3, 6_250, 6_260).startswith("KilogramsAlreadyRetired(")
    assert registry.retire_refusal(3, 4_999, 5_000).startswith("KilogramsAlreadyRetired(")
    assert registry.retire_refusal(3, 1_000, 10_999).startswith("KilogramsAlreadyRetired(")
    assert registry.balance(3) == 6_500  # nothing refused was debited


def test_out_of_order_ranges_with_gaps_retire(registry: Registry) -> None:
    registry.mint(4, 9_000, 20, 28)  # kg 20_000..28_999

    for kg_start, kg_end in [
        (27_000, 28_999),
        (20_300, 20_301),
        (23_000, 24_999),
        (20_000, 20_299),
    ]:
        registry.retire(4, kg_start, kg_end)

    assert not registry.retired(4, 20_302, 22_999)
    assert not registry.retired(4, 25_000, 26_999)
    assert registry.retired(4, 26_999, 27_000)
    registry.retire(4, 20_302, 22_999)
    registry.retire(4, 25_000, 26_999)
    assert registry.balance(4) == 0
    # nothing left to retire, but the range check comes first and says why
    assert registry.retire_refusal(4, 20_000, 20_000) == (
        "KilogramsAlreadyRetired(tokenId=4, kgStart=20000, kgEnd=20000)"
    )


def test_range_outside_the_batch_or_empty_is_refused(registry: Registry) -> None:
    registry.mint(5, 2_500, 7, 9)  # kg 7_000..9_499

    assert registry.retire_refusal(5, 6_999, 7_000) == (
        "RangeOutsideBatch(tokenId=5, kgStart=6999, kgEnd=7000)"
    )
    assert registry.retire_refusal(5, 9_000, 9_500).startswith("RangeOutsideBatch(")
    assert registry.retire_refusal(5, 9_500, 9_999).startswith("RangeOutsideBatch(")
    assert registry.retire_refusal(5, 8_000, 7_999) == (
        "InvalidKilogramRange(kgStart=8000, kgEnd=7999)"
    )
    assert registry.retire_refusal(6, 7_000, 7_000) == "TokenNotMinted(tokenId=6)"
    assert not registry.retired(5, 0, 6_999)
    registry.retire(5, 9_000, 9_499)  # the batch's last, partial tonne


def test_mint_with_a_wrong_serial_count_is_refused(registry: Registry) -> None:
    mint = (PROJECT, 2024)
    for amount_kg, serial_end in [(2_500, 8), (2_500, 10), (3_000, 10), (3_001, 9), (999, 6)]:
        args = (10, *mint, amount_kg, 7, serial_end, registry.operator)
        assert registry.refusal("mintBatch", args) == (
            f"SerialRangeMismatch(serialStart=7, serialEnd={serial_end}, amountKg={amount_kg})"
        )
    registry.mint(10, 2_500, 7, 9)
    registry.mint(11, 3_000, 7, 9)
    registry.mint(12, 1, 0, 0)
    assert registry.refusal("mintBatch", (10, *mint, 1_000, 1, 1, registry.operator)) == (
        "TokenAlreadyMinted(tokenId=10)"
    )


def test_retired_event_carries_serials_and_kilograms(registry: Registry) -> None:
    registry.mint(7, 2_500, 7, 9)

    event = _retired_event(registry.retire(7, 7_500, 9_499))

    assert event == {
        "tokenId": 7,
        "holder": registry.operator,
        "amountKg": 2_000,
        "beneficiary": "Acme",
        "purpose": "offset",
        "serialStart": 7,
        "serialEnd": 9,
        "kgStart": 7_500,
        "kgEnd": 9_499,
    }


def test_retire_beyond_the_balance_or_by_a_stranger_is_refused(registry: Registry) -> None:
    registry.mint(8, 3_000, 1, 3)
    registry.ok("transfer", (8, registry.operator, registry.stranger, 2_000))

    assert registry.retire_refusal(8, 1_000, 2_999) == (
        f"InsufficientBalance(tokenId=8, holder={registry.operator}, balance=1000, amountKg=2000)"
    )
    args = (8, registry.operator, 1_000, 1_999, "Acme", "x")
    assert registry.refusal("retire", args, sender=registry.stranger) == (
        f"NotHolderOrOperator(caller={registry.stranger}, holder={registry.operator})"
    )
    registry.ok("retire", (8, registry.stranger, 2_000, 3_999, "B", "p"), sender=registry.stranger)
    assert not registry.retired(8, 1_000, 1_999)
    assert registry.retired(8, 2_000, 3_999)


def test_a_million_tonnes_retire_in_one_call_far_under_the_block_gas_limit(
    registry: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    tonnes = 1_000_000
    registry.mint(9, tonnes * 1_000, 7, 7 + tonnes - 1)

    receipt = registry.retire(9, 7_000, 7_000 + tonnes * 1_000 - 1)

    with capsys.disabled():
        print(f"\nretire of {tonnes:,} t in one call: {receipt['gasUsed']:,} gas")  # noqa: T201
    assert receipt["gasUsed"] < BLOCK_GAS_LIMIT // 30
    assert registry.balance(9) == 0
    assert registry.retired(9, 500_000_000, 500_000_000)
    registry.mint(19, tonnes * 1_000, 7, 7 + tonnes - 1)
    registry.retire(19, 123_456, 123_456)
    everything = (19, registry.operator, 7_000, 7_000 + tonnes * 1_000 - 1, "A", "p")
    refused = registry.send("retire", everything)
    assert refused["status"] == 0
    assert refused["gasUsed"] < BLOCK_GAS_LIMIT // 30


def test_random_ranges_retire_exactly_when_no_kilogram_was_retired(registry: Registry) -> None:
    """Against a model (a list of retired ranges): ranges of 1 kg to 100 t, at random
    places of a 300 t batch that starts off the 256 kg grid, in random order."""
    first, amount_kg = 123_000, 300_000
    registry.mint(20, amount_kg, 123, 422)
    rng = random.Random(20261201)
    retired: list[tuple[int, int]] = []
    for _ in range(40):
        size = int(10 ** rng.uniform(0, 5))
        start = rng.randrange(first, first + amount_kg - size + 1)
        end = start + size - 1
        taken = any(lo <= end and start <= hi for lo, hi in retired)
        if taken:
            reason = registry.retire_refusal(20, start, end)
            assert reason == f"KilogramsAlreadyRetired(tokenId=20, kgStart={start}, kgEnd={end})"
        else:
            registry.retire(20, start, end)
            retired.append((start, end))
        probe = rng.randrange(first, first + amount_kg)
        probe_end = min(probe + int(10 ** rng.uniform(0, 4)), first + amount_kg - 1)
        expected = any(lo <= probe_end and probe <= hi for lo, hi in retired)
        assert registry.retired(20, probe, probe_end) == expected
    assert registry.balance(20) == amount_kg - sum(hi - lo + 1 for lo, hi in retired)


def test_a_legacy_registry_retirement_decodes_to_the_current_shape() -> None:
    """The registry deployed before kilogram ranges emitted CreditsRetired without them:
    the platform decoder reads it and adds the kilogram range it stood for."""
    w3 = _embedded_w3()
    address = _deploy(w3, LEGACY_REGISTRY, LEGACY_DIR)
    operator = w3.eth.accounts[0]

    def send(signature: str, types: list[str], args: list[Any]) -> TxReceipt:
        data = keccak(text=signature)[:4] + eth_abi.encode(types, args)
        receipt = _send(w3, {"from": operator, "to": address, "data": data})
        assert receipt["status"] == 1
        return receipt

    send("registerProject(bytes32,bytes32,string)", ["bytes32", "bytes32", "string"],
         [PROJECT, bytes(32), "u"])  # fmt: skip
    mint = ["uint256", "bytes32", "uint16", "uint256", "uint256", "uint256", "address"]
    send("mintBatch(uint256,bytes32,uint16,uint256,uint256,uint256,address)", mint,
         [1, PROJECT, 2020, 5_000, 40, 44, operator])  # fmt: skip
    retire = ["uint256", "address", "uint256", "string", "string", "uint256", "uint256"]
    receipt = send("retire(uint256,address,uint256,string,string,uint256,uint256)", retire,
                   [1, operator, 2_500, "Old Co", "legacy", 41, 43])  # fmt: skip

    args = _retired_event(receipt)
    assert args == {
        "tokenId": 1,
        "holder": operator,
        "amountKg": 2_500,
        "beneficiary": "Old Co",
        "purpose": "legacy",
        "serialStart": 41,
        "serialEnd": 43,
        "kgStart": 41_000,
        "kgEnd": 43_499,
    }
    assert revert_error("0x") is None
