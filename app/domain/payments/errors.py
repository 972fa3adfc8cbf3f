"""Errors of payments."""

from __future__ import annotations

from app.domain.shared.errors import (
    Conflict,
    DomainError,
    NotFound,
    RuleViolation,
    Unavailable,
    UpstreamRefused,
)


class InvalidSignature(DomainError):
    """A webhook whose signature is missing, wrong or too old: nothing is changed (the
    webhook view answers it with a 400)."""

    code = "invalid_signature"


class InvalidEvent(DomainError):
    """A correctly signed webhook whose body is not an event the provider sends."""

    code = "invalid_event"


class ProviderUnavailable(Unavailable):
    """The payment provider did not answer (down, or slower than the timeout)."""

    code = "provider_unavailable"


class PaymentInProgress(Conflict):
    """The order already has a payment waiting for its outcome."""

    code = "payment_in_progress"


class PaymentStateConflict(Conflict):
    """The payment's status does not allow this step."""

    code = "payment_state"


class RefundExceedsRemaining(RuleViolation):
    """A refund above what is left to refund of the payment."""

    code = "refund_exceeds_remaining"


class UnknownProvider(NotFound):
    """A webhook for a provider this platform does not use."""

    code = "unknown_provider"


class ProviderRefused(UpstreamRefused):
    """The payment provider refused the platform's request (a bad key or parameter)."""

    code = "provider_refused"
