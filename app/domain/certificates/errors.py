"""Errors of retirement certificates."""

from __future__ import annotations

from app.domain.shared.errors import Conflict, InvalidValue, NotFound, RuleViolation


class CertificateNotFound(NotFound):
    """No such certificate, or not one the caller may read."""

    code = "certificate_not_found"


class NotYetCertifiable(Conflict):
    """The retirement is not confirmed past the confirmation depth yet."""

    code = "not_certifiable"


class NoProof(Conflict):
    """The retirement's project has no signed PoAI proof to cite."""

    code = "no_proof"


class BadColor(InvalidValue):
    code = "bad_color"


class TooManyFields(InvalidValue):
    code = "too_many_fields"


class UnknownLogo(RuleViolation):
    """The template's logo is not a platform document that can be read."""

    code = "unknown_logo"


class CertificateExists(Conflict):
    """The retirement has its certificate already (one per retirement)."""

    code = "certificate_exists"
