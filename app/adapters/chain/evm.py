"""The py-evm chain behind eth-tester, built here rather than by eth-tester so that it can
live in a file-backed database (reopened from its canonical head instead of a new
genesis) and carry the platform's chain id (eth-tester fixes 131277322940537)."""

from __future__ import annotations

import secrets
from typing import Any

from eth.abc import AtomicDatabaseAPI, BlockAPI, BlockHeaderAPI
from eth.chains.base import MiningChain
from eth.db.atomic import AtomicDB
from eth.db.backends.base import BaseDB
from eth.db.chain import ChainDB
from eth.exceptions import CanonicalHeadNotFound
from eth.vm.forks import PragueVM
from eth_tester import PyEVMBackend
from eth_tester.backends.pyevm.main import (
    generate_genesis_state_for_keys,
    get_default_account_keys,
    get_default_genesis_params,
)
from eth_typing import BlockNumber
from eth_utils import to_checksum_address

from app.ports.chain import RawLog


class _PlatformChain(MiningChain):
    vm_configuration = ((BlockNumber(0), PragueVM),)

    def create_header_from_parent(
        self, parent_header: BlockHeaderAPI, **header_params: Any
    ) -> BlockHeaderAPI:
        # py-evm would move the gas limit a little every block; writes use a fixed gas.
        return super().create_header_from_parent(
            parent_header, **{**header_params, "gas_limit": parent_header.gas_limit}
        )

    def get_transaction_builder(self) -> Any:  # eth-tester builds transactions through it
        return self.get_vm().get_transaction_builder()


def chain_class(chain_id: int) -> type[MiningChain]:
    return type(f"PlatformChain{chain_id}", (_PlatformChain,), {"chain_id": chain_id})


def has_chain(kv: BaseDB) -> bool:
    try:
        ChainDB(AtomicDB(kv)).get_canonical_head()
    except CanonicalHeadNotFound:
        return False
    return True


def open_chain(kv: BaseDB, chain_id: int) -> MiningChain:
    """The chain in `kv` from its canonical head, or a new genesis (the pre-funded test
    accounts, and random extra data: every new chain has a genesis hash of its own, even
    two made within the same second)."""
    db: AtomicDatabaseAPI = AtomicDB(kv)
    cls = chain_class(chain_id)
    if has_chain(kv):
        return cls(db)
    state = generate_genesis_state_for_keys(get_default_account_keys())
    params = {**get_default_genesis_params(), "extra_data": secrets.token_bytes(32)}
    chain = cls.from_genesis(db, params, state)
    assert isinstance(chain, MiningChain)
    return chain


class OpenedBackend(PyEVMBackend):
    """eth-tester's py-evm backend over a chain opened here."""

    def __init__(self, chain: MiningChain) -> None:
        self._opened: MiningChain | None = chain
        super().__init__()

    def reset_to_genesis(self, *_args: Any, **_kwargs: Any) -> None:
        if self._opened is None:
            raise NotImplementedError("reset the embedded chain with `flask chain reset-embedded`")
        self.account_keys = get_default_account_keys()
        self.chain, self._opened = self._opened, None


def canonical_head(chain: MiningChain) -> int:
    return int(chain.get_canonical_head().block_number)


def block_logs(chain: MiningChain, number: int) -> list[RawLog]:
    """The logs of a canonical block as eth-tester's receipts number them (per receipt)."""
    block: BlockAPI = chain.get_canonical_block_by_number(BlockNumber(number))
    block_hash = "0x" + bytes(block.hash).hex()
    found = []
    for transaction, receipt in zip(
        block.transactions, block.get_receipts(chain.chaindb), strict=True
    ):
        tx_hash = "0x" + bytes(transaction.hash).hex()
        for index, log in enumerate(receipt.logs):
            found.append(
                RawLog(
                    address=to_checksum_address(log.address),
                    topics=tuple("0x" + topic.to_bytes(32, "big").hex() for topic in log.topics),
                    data=bytes(log.data),
                    block_number=number,
                    block_hash=block_hash,
                    transaction_hash=tx_hash,
                    log_index=index,
                )
            )
    return found
