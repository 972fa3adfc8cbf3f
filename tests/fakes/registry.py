"""An in-memory chain with the platform registry on it: the operator's calls
(`FakeRegistryCalls`, encoded as JSON), the events the registry emits for them
(`registry_events`), and `FakeChain`, a `ChainReader` whose blocks can be mined one
transaction at a time and reorganized away. `decode` turns its logs back into events.

The fake registry emits what it is asked to; it does not refuse what the real contract
refuses (balances, overlapping kilograms): that is the contract's own tests' business."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from app.domain.chain.model import ContractCall
from app.domain.shared.chain import ChainEvent
from app.ports.chain import BlockHeader, RawLog, Receipt

T = TypeVar("T")
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
EVENTS = (
    "ProjectRecordMinted",
    "CreditsMinted",
    "CreditsTransferred",
    "CreditsRetired",
    "ProposalCreated",
    "VoteCast",
    "ProposalExecuted",
)


def _hex32(text: str) -> str:
    return "0x" + hashlib.sha256(text.encode()).hexdigest()


def fake_project_key(project_id: str) -> str:
    """The fake registry's `projectKey` of a project id (the real one is a keccak256)."""
    return _hex32(f"project:{project_id}")


TOPICS = {_hex32(f"event:{name}"): name for name in EVENTS}
TOPIC_OF = {name: topic for topic, name in TOPICS.items()}


class FakeRegistryCalls:
    """`RegistryCalls` whose data is the call as JSON, so the fake registry can act on it."""

    def _call(self, function: str, **args: object) -> ContractCall:
        data = json.dumps({"function": function, "args": args}, sort_keys=True).encode()
        return ContractCall(f"CarbonRegistry.{function}", REGISTRY, data)

    def register_project(
        self, project_id: str, bundle_hash: bytes, metadata_uri: str
    ) -> ContractCall:
        return self._call(
            "registerProject",
            projectKey=fake_project_key(project_id),
            bundleHash="0x" + bundle_hash.hex(),
            metadataUri=metadata_uri,
        )

    def mint_batch(
        self,
        *,
        token_id: int,
        project_id: str,
        vintage: int,
        amount_kg: int,
        serial_start: int,
        serial_end: int,
        to: str,
    ) -> ContractCall:
        return self._call(
            "mintBatch",
            tokenId=token_id,
            projectKey=fake_project_key(project_id),
            vintage=vintage,
            to=to,
            amountKg=amount_kg,
            serialStart=serial_start,
            serialEnd=serial_end,
        )

    def transfer(self, token_id: int, from_address: str, to: str, amount_kg: int) -> ContractCall:
        return self._call(
            "transfer", tokenId=token_id, **{"from": from_address}, to=to, amountKg=amount_kg
        )

    def retire(
        self,
        *,
        token_id: int,
        holder: str,
        kg_start: int,
        kg_end: int,
        beneficiary: str,
        purpose: str,
    ) -> ContractCall:
        return self._call(
            "retire",
            tokenId=token_id,
            holder=holder,
            kgStart=kg_start,
            kgEnd=kg_end,
            beneficiary=beneficiary,
            purpose=purpose,
        )


def retired_event(
    token_id: int, holder: str, kg_start: int, kg_end: int, *, beneficiary: str, purpose: str
) -> tuple[str, dict[str, object]]:
    """A CreditsRetired event as the registry emits it (serials derived from kilograms)."""
    return "CreditsRetired", {
        "tokenId": token_id,
        "holder": holder,
        "amountKg": kg_end - kg_start + 1,
        "beneficiary": beneficiary,
        "purpose": purpose,
        "serialStart": kg_start // 1000,
        "serialEnd": kg_end // 1000,
        "kgStart": kg_start,
        "kgEnd": kg_end,
    }


def registry_events(call: ContractCall) -> list[tuple[str, dict[str, object]]]:
    """The events the registry emits for one of `FakeRegistryCalls`' calls."""
    if call.to != REGISTRY:
        return []
    decoded = json.loads(call.data)
    args = decoded["args"]
    function = decoded["function"]
    if function == "registerProject":
        return [("ProjectRecordMinted", args)]
    if function == "mintBatch":
        return [("CreditsMinted", args)]
    if function == "transfer":
        return [("CreditsTransferred", args)]
    if function == "retire":
        others = {k: args[k] for k in ("beneficiary", "purpose")}
        return [
            retired_event(args["tokenId"], args["holder"], args["kgStart"], args["kgEnd"], **others)
        ]
    return []


def decode(raw: RawLog) -> ChainEvent | None:
    """The event of one of `FakeChain`'s logs (None for a topic it does not know)."""
    name = TOPICS.get(raw.topics[0]) if raw.topics else None
    if name is None:
        return None
    args = json.loads(raw.data)
    return ChainEvent(
        name,
        args,
        raw.address,
        raw.block_number,
        raw.block_hash,
        raw.transaction_hash,
        raw.log_index,
    )


class FakeChain:
    """A `ChainReader` over blocks held in memory: each `mine()` adds a block with one
    transaction; `reorganize(depth)` drops the newest blocks so that what is mined next
    forms a competing branch (with other block hashes)."""

    def __init__(self, chain_id: int = 31337) -> None:
        self._chain_id = chain_id
        self._branch = 0
        self.blocks: list[BlockHeader] = [BlockHeader(0, _hex32("genesis"), "0x" + "00" * 32, 0)]
        self.block_logs: dict[int, list[RawLog]] = {0: []}
        self.receipts: dict[str, Receipt] = {}
        self.native_sent: list[tuple[int, str, int]] = []  # (block, to, wei)

    # --- building -----------------------------------------------------------------------

    def mine(
        self,
        *events: tuple[str, dict[str, object]],
        tx_hash: str | None = None,
        address: str = REGISTRY,
    ) -> Receipt:
        """A new block holding one successful transaction that emitted these events (from
        the contract at `address`)."""
        parent = self.blocks[-1]
        number = parent.number + 1
        header = BlockHeader(
            number, _hex32(f"block:{self._branch}:{number}"), parent.hash, 12 * number
        )
        tx_hash = tx_hash or _hex32(f"tx:{self._branch}:{number}")
        logs = tuple(
            RawLog(
                address,
                (TOPIC_OF[name],),
                json.dumps(args, sort_keys=True).encode(),
                number,
                header.hash,
                tx_hash,
                index,
            )
            for index, (name, args) in enumerate(events)
        )
        self.blocks.append(header)
        self.block_logs[number] = list(logs)
        receipt = Receipt(tx_hash, 1, number, header.hash, logs)
        self.receipts[tx_hash] = receipt
        return receipt

    def send_native(self, to: str, wei: int) -> int:
        """A block with a plain transfer of `wei` to `to`; its number."""
        number = self.mine().block_number
        self.native_sent.append((number, to.lower(), wei))
        return number

    def mine_empty(self, count: int = 1) -> None:
        for _ in range(count):
            self.mine()

    def reorganize(self, depth: int) -> None:
        """Forget the newest `depth` blocks (and their receipts): the next blocks mined
        replace them on another branch."""
        dropped = self.blocks[-depth:]
        for header in dropped:
            del self.block_logs[header.number]
        hashes = {header.hash for header in dropped}
        self.receipts = {h: r for h, r in self.receipts.items() if r.block_hash not in hashes}
        del self.blocks[-depth:]
        self.native_sent = [sent for sent in self.native_sent if sent[0] <= self.head()]
        self._branch += 1

    # --- ChainReader --------------------------------------------------------------------

    def chain_id(self) -> int:
        return self._chain_id

    def head(self) -> int:
        return self.blocks[-1].number

    def block(self, number: int) -> BlockHeader | None:
        return self.blocks[number] if 0 <= number < len(self.blocks) else None

    def logs(self, from_block: int, to_block: int, addresses: Sequence[str]) -> list[RawLog]:
        wanted = {a.lower() for a in addresses}
        return [
            raw
            for number in range(max(from_block, 0), min(to_block, self.head()) + 1)
            for raw in self.block_logs[number]
            if raw.address.lower() in wanted
        ]

    def log_pages(
        self,
        from_block: int,
        to_block: int,
        addresses: Sequence[str],
        page_blocks: int,
        prepare: Callable[[list[RawLog]], T],
    ) -> Iterator[T]:
        if not addresses:
            return
        for start in range(from_block, min(to_block, self.head()) + 1, page_blocks):
            yield prepare(self.logs(start, min(to_block, start + page_blocks - 1), addresses))

    def receipt(self, transaction_hash: str) -> Receipt | None:
        return self.receipts.get(transaction_hash)

    def native_balance(self, address: str, block: int) -> int:
        return sum(
            wei
            for number, to, wei in self.native_sent
            if to == address.lower() and number <= min(block, self.head())
        )
