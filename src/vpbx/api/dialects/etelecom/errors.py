"""eTelecom's error envelope: Twirp's `{"code", "msg", "meta"}` with Twirp's HTTP statuses.

eTelecom documents `{"code": "invalid_argument" | "unauthenticated" | "bad_route", "msg"}`
(found); the other codes and every status follow the Twirp spec v7 that the envelope comes
from (inferred). `meta` is Twirp's optional map of strings: vpbx puts its own stable code
there (`vpbx_code`) and, for bad input, the field at fault (`argument`, as Twirp's
InvalidArgumentError does).
"""

from __future__ import annotations

from fastapi.responses import JSONResponse

from vpbx.api.dialects.kit import Failure
from vpbx.errors import Invalid, NotFound

# Twirp spec v7, "Error Codes": the HTTP status of each code.
TWIRP_STATUS = {
    "canceled": 408,
    "unknown": 500,
    "invalid_argument": 400,
    "malformed": 400,
    "deadline_exceeded": 408,
    "not_found": 404,
    "bad_route": 404,
    "already_exists": 409,
    "permission_denied": 403,
    "unauthenticated": 401,
    "resource_exhausted": 429,
    "failed_precondition": 412,
    "aborted": 409,
    "out_of_range": 400,
    "unimplemented": 501,
    "internal": 500,
    "unavailable": 503,
    "dataloss": 500,
}
_BY_STATUS = {
    400: "invalid_argument",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "bad_route",
    422: "invalid_argument",
    429: "resource_exhausted",
}


class BadRoute(NotFound):
    """The request names no method of the service: wrong path, verb or content type."""

    code = "bad_route"


class Malformed(Invalid):
    """The body could not be decoded: not JSON, not an object, or a field of another
    JSON type than the method's message has (Twirp's `malformed`)."""

    code = "malformed"


def twirp_code(failure: Failure) -> str:
    """The Twirp code for a neutral failure."""
    if failure.code in ("bad_route", "malformed"):
        return failure.code
    if failure.status == 409:
        return _conflict_code(failure.code)
    if failure.status >= 500:
        return "internal"
    return _BY_STATUS.get(failure.status, "invalid_argument")


def _conflict_code(code: str) -> str:
    """A conflict is a duplicate (already_exists), a race to retry (aborted) or a state
    that does not allow the change (failed_precondition)."""
    if code.endswith(("_exists", "_taken")) or code == "number_not_available":
        return "already_exists"
    if code.endswith(("_in_flight", "_busy")):
        return "aborted"
    return "failed_precondition"


def render(failure: Failure) -> JSONResponse:
    code = twirp_code(failure)
    body: dict[str, object] = {"code": code, "msg": failure.message}
    meta = {} if code == "internal" else {"vpbx_code": failure.code}
    if failure.errors:
        meta["argument"] = failure.errors[0]["field"]
    if meta:
        body["meta"] = meta
    return JSONResponse(body, status_code=TWIRP_STATUS[code])
