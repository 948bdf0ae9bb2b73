"""What every command shares: settings, engine, session factory, error reporting."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from vpbx.api.app import NotMigrated, ensure_migrated
from vpbx.config import Settings, get_settings
from vpbx.db import create_db_engine, make_session_factory, transaction
from vpbx.errors import DomainError

err = Console(stderr=True)
out = Console()
P = ParamSpec("P")
R = TypeVar("R")


@cache
def engine() -> Engine:
    settings = get_settings()
    return create_db_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)


def settings() -> Settings:
    return get_settings()


def factory() -> sessionmaker[Session]:
    ensure_migrated(engine())
    return make_session_factory(engine())


@contextmanager
def unit_of_work() -> Iterator[Session]:
    with transaction(factory()) as session:
        yield session


def fail(message: str, code: int = 1) -> typer.Exit:
    # Messages quote user input: escape it so '[/x]' is text, not rich markup.
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code)


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Domain and database errors end the command with a message, never a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            raise fail(exc.message) from None
        except NotMigrated as exc:
            raise fail(str(exc)) from None
        except OperationalError as exc:
            raise fail(f"database error: {exc.orig}") from None
        except OSError as exc:
            raise fail(str(exc)) from None
        except UnicodeDecodeError as exc:
            raise fail(
                f"the file is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                "save it as UTF-8 CSV"
            ) from None

    return wrapper


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
