"""Every example request of seed 004, as its curl / JS / PHP / Python examples send it.

The seed's values are Scribe placeholders ("nihil", "quo", "eligendi"), or ids that no
test tenant has: each has the answer Plusofon's conventions give it, with the fields
that a 422 names.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Example(NamedTuple):
    method: str
    path: str
    body: dict[str, Any] | None
    status: int
    fields: tuple[str, ...] = ()


FOLLOW_BODY = {
    "type": "eligendi",
    "type_default": "tempora",
    "numbers": [6],
    "sip_id": 7,
    "destination_number": "voluptatem",
    "group_id": 16,
    "scenario_id": 5,
    "call_queue_id": 4,
    "destination_uri": "molestias",
    "host": "quas",
    "cli_type": "ut",
    "cli_type_default": "iure",
}
SEARCH_BODY = {
    "owner_type": "business",
    "region": 4,
    "city_code": 4,
    "phone_number": "error",
    "number_type": "0",
    "phone_type": "abc",
}

EXAMPLES = [
    Example("GET", "number", {"phone_type": "nihil"}, 422, ("phone_type",)),
    Example("GET", "number/sms", None, 200),
    Example("DELETE", "number/31", {"pin": "quo"}, 422, ("pin",)),
    Example(
        "POST",
        "number/follow",
        FOLLOW_BODY,
        422,
        ("type", "type_default", "cli_type", "cli_type_default"),
    ),
    # Well-formed, but list 15 and number 22 are not the caller's: a bad reference.
    Example("PATCH", "number/contact-list", {"contact_list_id": 15, "numbers": [22]}, 422),
    Example("GET", "number/follow-types", None, 200),
    Example("GET", "number/cli-types", None, 200),
    Example("GET", "number/search", SEARCH_BODY, 422, ("phone_number",)),
    Example("GET", "number/code-regions", {"type": "rerum"}, 422, ("type",)),
    Example(
        "POST",
        "number/reserve",
        {"number": 11, "owner_type": "sit", "short": 17},
        422,
        ("number", "owner_type", "short"),
    ),
    Example("DELETE", "number/reserve/42", None, 404),
    Example("GET", "number/reserve", {"phone_type": "natus"}, 422, ("phone_type",)),
    Example(
        "POST", "number/buy", {"numbers": [], "owner_type": "minus"}, 422, ("numbers", "owner_type")
    ),
]
