"""Errors of the marketplace."""

from __future__ import annotations

from app.domain.shared.errors import Conflict, RuleViolation


class InsufficientInventory(Conflict):
    """The listing has fewer kilograms available than asked."""

    code = "insufficient_inventory"


class InsufficientHolding(Conflict):
    """The seller's free holding (minted, not promised to a retirement or another
    listing) is smaller than the listing asks for."""

    code = "insufficient_holding"


class QuoteExpired(Conflict):
    """The quote's locked price ran out: ask for a new quote."""

    code = "quote_expired"


class OrderStateConflict(Conflict):
    """The order's status does not allow this step."""

    code = "order_state"


class ListingClosed(Conflict):
    """The listing is withdrawn or sold out."""

    code = "listing_closed"


class ApprovalRequired(Conflict):
    """The order is above the organization's approval limit and waits for its admin."""

    code = "approval_required"


class UnknownWallet(RuleViolation):
    """Credits are delivered to a wallet only when it is one of the buyer's linked wallets."""

    code = "unknown_wallet"


class WalletDelivery(RuleViolation):
    """A delivery to a wallet the platform holds no key of: it is the buyer's own purchase,
    and the platform cannot retire from it."""

    code = "wallet_delivery"
