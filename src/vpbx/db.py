"""Engines and sessions for both supported databases.

SQLite is the embedded default and PostgreSQL the production database; this module is
the only place that knows the difference at connection level.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Execution option naming how a SQLite transaction begins. Writers must say IMMEDIATE:
# a DEFERRED transaction that reads and then writes cannot wait for the lock (SQLite
# answers SQLITE_BUSY at once), so concurrent buyers would fail instead of queueing.
SQLITE_BEGIN = "vpbx_sqlite_begin"


def normalize_url(url: str) -> str:
    """Accept `postgresql://` as users write it and use the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def create_db_engine(url: str, *, busy_timeout_ms: int = 30_000, pool_size: int = 10) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    # Search plans depend on the mask's actual digits (a prefix range, a suffix range or
    # the trigram index): psycopg prepares repeated statements, and PostgreSQL's generic
    # plan for them ignores the values, so ask for a plan made with the values each time.
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"options": "-c plan_cache_mode=force_custom_plan"},
    )


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (the pysqlite recipe), so
        # that we choose DEFERRED or IMMEDIATE per transaction.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def begin_writing(session: Session) -> None:
    """Start the session's transaction as a writer: on SQLite, take the lock up front."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


def begin_session(factory: sessionmaker[Session], *, write: bool) -> Session:
    """Open a session whose transaction takes the write lock up front on SQLite."""
    session = factory()
    if write:
        begin_writing(session)
    return session


@contextmanager
def transaction(factory: sessionmaker[Session], *, write: bool = True) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = begin_session(factory, write=write)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
