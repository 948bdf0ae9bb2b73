"""Parameter types shared by the native routers, bounded so no input reaches the database
in a form it cannot hold (ids beyond BIGINT, NUL characters, unbounded decimals)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

from vpbx.errors import Invalid

MAX_ID = 2**63 - 1  # BIGINT
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdCursor = Annotated[int | None, Query(ge=1, le=MAX_ID, description="From a next_cursor.")]
IdFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Limit = Annotated[
    int | None,
    Query(
        ge=1,
        description="Page size (default 50, at most the instance's page_size_max, 200 by default).",
    ),
]
Text = Annotated[str | None, Query(max_length=120, pattern=NO_NUL)]
Price = Annotated[Decimal | None, Query(ge=0, lt=Decimal("1e14"), decimal_places=4)]
BodyText = Annotated[str, Field(max_length=500, pattern=NO_NUL)]


def utc_bound(value: datetime | None, name: str) -> datetime | None:
    """A time filter as UTC; RFC 3339 times carry an offset, so a naive one is refused."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise Invalid(f"{name} needs a time zone offset (RFC 3339), e.g. Z or +07:00", field=name)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise Invalid(f"{name} is out of range", field=name) from None


def page_limit(limit: int | None, page_size_max: int) -> int:
    """The requested page size, or the default capped at the instance's maximum."""
    if limit is None:
        return min(50, page_size_max)
    if limit > page_size_max:
        raise Invalid(
            f"limit must be between 1 and {page_size_max}", field="limit", code="validation_failed"
        )
    return limit
