"""The ledger and the indexer as screens read them: credit batches, holdings, custodial
addresses, the indexer's checkpoint and the indexed events, as plain rows (read side,
no unit of work)."""

from __future__ import annotations

from typing import Any, Protocol


class LedgerReads(Protocol):
    def batches(
        self, project_id: str | None, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """By token id: the page from `offset` and how many batches there are."""
        ...

    def token_ids(self, project_id: str) -> list[int]:
        """Every batch's token id of the project."""
        ...

    def balances(
        self, holders: list[str] | None, project_id: str | None, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Non-zero holdings by holder and token id (`holders` None: every holder's): a
        page and how many there are."""
        ...

    def holder_addresses(self, owners: list[tuple[str, str]]) -> list[str]:
        """Where these (owner kind, owner id) pairs hold credits: their custodial
        addresses, and a user's linked wallets (credits bought for delivery there)."""
        ...

    def checkpoint(self) -> dict[str, Any] | None:
        """The indexer's checkpoint (head, indexed and safe blocks, reorgs, halt), if any."""
        ...

    def transactions(
        self, address: str | None, token_ids: list[int] | None, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Indexed events newest first, of `address` or of `token_ids` when given: a page
        and how many match."""
        ...
