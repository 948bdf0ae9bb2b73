"""eTelecom SMS Brandname's failures: HTTP 200 with a negative `status` and a `code`
text, as documented (-1, -2, -3, -6, -8, -9); bad credentials are HTTP 401
"Unauthorized". Where the documents are silent the choice is ours: -4 for an
idOmniMess that names no message of the caller, and HTTP 503 / 500 with status -99
when the server cannot serve at all.
"""

from __future__ import annotations

from fastapi import Response

from vpbx.api.dialects.etelecom_sms.wire import error, unauthorized
from vpbx.api.dialects.kit import Failure

# The core's field names, as the request spells them.
_WIRE_FIELDS = {"to": "phonenumber", "template": "templatecode", "params": "list_param"}
_NO_MESSAGES = {"no_sms_packet", "sms_quota_exhausted"}
_NO_TEMPLATE = {"template_not_found", "template_not_approved"}


def render(failure: Failure) -> Response:
    if failure.status == 401:
        return unauthorized()
    field = str(failure.details.get("field") or _first_field(failure))
    wire_field = _WIRE_FIELDS.get(field, field)
    if failure.code == "invalid_recipient" or wire_field == "phonenumber":
        return error("-1", "PhoneNumber Wrong Format")
    if failure.code in _NO_MESSAGES:
        return error("-3", "You have run out of messages")
    if failure.code in _NO_TEMPLATE:
        code = failure.details.get("template", "")
        return error("-6", f"Can't find template with templatecode: {code}")
    if failure.code == "message_not_found":
        return error("-4", "Can't find message with this idOmniMess")
    if failure.code in ("no_route", "number_not_found"):
        return error("-8", "Can't find any routing for this request")
    if failure.code == "unknown_channel":
        return error(
            "-9", f"Can't find any information about channel: {failure.details['channel']}"
        )
    if failure.status >= 500:
        return error("-99", "Internal Server Error", http_status=failure.status)
    return error("-2", f"Wrong Format Parameter: {wire_field or 'body'}")


def _first_field(failure: Failure) -> str:
    if not failure.errors:
        return ""
    field = failure.errors[0]["field"]
    return "body" if field.isdigit() else field.split(".")[0]
