"""Alembic environment: vpbx's metadata, batch mode on SQLite, types compared."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

from vpbx.config import get_settings
from vpbx.db import create_db_engine
from vpbx.models import Base

# Indexes that exist only on PostgreSQL as an optimisation (pg_trgm); the portable
# metadata does not declare them, so `alembic check` must not report them as extra.
PG_ONLY_INDEXES = frozenset({"ix_numbers_nsn_trgm"})


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (type_ == "index" and name in PG_ONLY_INDEXES)


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = create_db_engine(url)
    with engine.connect() as conn:
        run_with(conn)
    engine.dispose()


run_online()
