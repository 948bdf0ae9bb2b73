"""Typing helpers shared by repositories."""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import Row

# A result row of any shape (SQLAlchemy 2.1 types rows by their column tuple).
AnyRow: TypeAlias = Row[*tuple[Any, ...]]
