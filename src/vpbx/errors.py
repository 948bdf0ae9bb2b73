"""One tree of domain errors with stable machine codes. Faces map them to their envelope."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code = "error"
    # A refusal that is itself a fact to keep (a wrong one-time code counts as a try):
    # the request's transaction commits what the service wrote before raising it.
    keeps_changes = False

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class Invalid(DomainError):
    """The request is well-formed but its values break a rule."""

    code = "invalid"


class NotFound(DomainError):
    """No such object, or it belongs to another tenant (the two are indistinguishable)."""

    code = "not_found"


class Conflict(DomainError):
    """The object's current state does not allow the change."""

    code = "conflict"


class NotAvailable(Conflict):
    """A number cannot be reserved or bought now."""

    code = "number_not_available"


class Unauthenticated(DomainError):
    """No credential, or one that is not valid."""

    code = "unauthenticated"


class Forbidden(DomainError):
    """The credential is valid but may not do this."""

    code = "forbidden"


class RateLimited(DomainError):
    code = "rate_limited"


class Unavailable(DomainError):
    """A service outside vpbx (a carrier, an SMS gateway) did not answer usefully."""

    code = "unavailable"
