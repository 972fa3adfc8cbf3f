"""Custodial wallets: fresh secp256k1 accounts for holders the platform keeps keys for."""

from __future__ import annotations

from eth_account import Account


class EthCustodialWallets:
    def new_account(self) -> tuple[str, bytes]:
        account = Account.create()
        return str(account.address), bytes(account.key)
