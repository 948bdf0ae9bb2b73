"""Offset pages: a window of a list by position, with how many there are in all.

What faces that page by page number with a total (Plusofon's paginator) ask the
services for; the native API pages by keyset cursor instead.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

from vpbx.errors import Invalid

T = TypeVar("T")

# Far past any list, and inside the 64-bit OFFSET every database takes (a larger one
# would be a driver error, not an empty page).
MAX_OFFSET = 2**62


class OffsetPage(BaseModel, Generic[T]):
    """A page of the tenant's objects by position, and how many there are in all."""

    items: list[T]
    total: int


def check_window(offset: int, limit: int, max_limit: int) -> None:
    """An offset page's position and size, or Invalid naming the bad one."""
    if not 0 <= offset <= MAX_OFFSET:
        raise Invalid(
            f"offset must be between 0 and {MAX_OFFSET}", field="offset", code="validation_failed"
        )
    if not 1 <= limit <= max_limit:
        raise Invalid(
            f"limit must be between 1 and {max_limit}", field="limit", code="validation_failed"
        )
