"""eTelecom's cursor paging over vpbx's keyset ids. Pure functions.

A request's `paging {after, before, limit, sort}` becomes a keyset walk for a service
(`after_id` bound, `descending` direction); the rows it returns become the page and a
response `paging {after, before, limit, next, prev, sort}`.

Cursors are opaque: `next` and `prev` each carry their own direction, so sending either
one back in `after` (as eTelecom's page says) or in `before` gets that page. A cursor
this server did not issue — including the documents' placeholder `"string"` — is an
invalid argument.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from vpbx.api.dialects.etelecom.wire import MAX_ID, PagingIn, PagingOut
from vpbx.errors import Invalid

T = TypeVar("T")
DEFAULT_LIMIT = 100  # eTelecom: "100 elements per page" (found, get-call-history)
# Sort values and whether they list newest (highest id) first.
BY_ID: Mapping[str, bool] = {"": False, "id": False, "-id": True}
BY_CREATION: Mapping[str, bool] = {**BY_ID, "created_at": False, "-created_at": True}
_FORWARD, _BACKWARD = "n", "p"


@dataclass(frozen=True)
class Walk:
    """How to read one page: from the keyset bound `after_id`, walking down the ids when
    `descending`; `backward` pages are read against the display order and reversed."""

    after_id: int | None
    descending: bool
    backward: bool
    limit: int

    @property
    def fetch(self) -> int:
        """Rows to ask for: one more than the page, to know whether another follows."""
        return self.limit + 1


def encode_cursor(direction: str, row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{direction}{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, field: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    direction, digits = raw[:1], raw[1:]
    if direction not in (_FORWARD, _BACKWARD) or not (digits.isascii() and digits.isdigit()):
        raise Invalid(
            f"{field}: {cursor!r} is not a cursor of this server; send back a `next` or "
            "`prev` of an earlier response, or leave it empty",
            field=field,
            code="invalid_cursor",
        )
    row_id = int(digits)
    if not 0 < row_id <= MAX_ID:
        raise Invalid(f"{field}: the cursor is out of range", field=field, code="invalid_cursor")
    return direction, row_id


def plan(paging: PagingIn, *, sorts: Mapping[str, bool], max_limit: int) -> Walk:
    """The walk a request's paging asks for; a limit above the maximum is capped."""
    # Checked in the document's field order, so the first bad field is the one named.
    after = decode_cursor(paging.after, "paging.after") if paging.after else None
    before = decode_cursor(paging.before, "paging.before") if paging.before else None
    if after is not None and before is not None:
        raise Invalid(
            "give paging.after or paging.before, not both", field="paging.before", code="invalid"
        )
    direction, row_id = after or before or (_FORWARD, None)
    if paging.sort not in sorts:
        allowed = ", ".join(repr(s) for s in sorts if s)
        raise Invalid(
            f"paging.sort must be empty or one of {allowed}", field="paging.sort", code="invalid"
        )
    newest_first = sorts[paging.sort]
    backward = direction == _BACKWARD
    limit = min(paging.limit or DEFAULT_LIMIT, max_limit)
    return Walk(row_id, newest_first != backward, backward, limit)


def page(
    walk: Walk, rows: Sequence[T], id_of: Callable[[T], int], paging: PagingIn
) -> tuple[list[T], PagingOut]:
    """The page (in display order) and the response paging for rows read by `walk`."""
    more = len(rows) > walk.limit
    items = list(rows[: walk.limit])
    if walk.backward:
        items.reverse()
    next_cursor = prev_cursor = ""
    if items:
        first, last = id_of(items[0]), id_of(items[-1])
        # Forward pages after a cursor have earlier rows; backward pages have later ones.
        has_next = more if not walk.backward else True
        has_prev = more if walk.backward else walk.after_id is not None
        next_cursor = encode_cursor(_FORWARD, last) if has_next else ""
        prev_cursor = encode_cursor(_BACKWARD, first) if has_prev else ""
    out = PagingOut(
        after=paging.after,
        before=paging.before,
        limit=walk.limit,
        next=next_cursor,
        prev=prev_cursor,
        sort=paging.sort,
    )
    return items, out
