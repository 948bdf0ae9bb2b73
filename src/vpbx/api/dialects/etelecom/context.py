"""What every eTelecom method gets, and how its JSON body becomes its message."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from vpbx.api.dialects.etelecom.errors import Malformed
from vpbx.config import Settings
from vpbx.errors import DomainError, Invalid
from vpbx.tenancy.principal import Principal

M = TypeVar("M", bound=BaseModel)
Scope = Literal["partner", "shop"]

# Pydantic errors meaning the JSON has another shape than the message (Twirp: the body
# "could not be decoded", `malformed`); every other error is a value that breaks a rule
# (`invalid_argument`).
_UNDECODABLE = frozenset(
    {
        "bool_parsing",
        "bool_type",
        "dict_type",
        "extra_forbidden",
        "float_parsing",
        "float_type",
        "int_from_float",
        "int_parsing",
        "int_type",
        "list_type",
        "model_attributes_type",
        "model_type",
        "string_type",
    }
)


@dataclass(frozen=True)
class Context:
    session: Session
    settings: Settings
    principal: Principal


@dataclass(frozen=True)
class Method:
    """One method of the Etelecom service: who may call it, its message, its handler.

    `inferred` marks a method whose name or body eTelecom never published.
    """

    name: str
    scope: Scope
    request: type[BaseModel]
    handler: Callable[[Context, Any], BaseModel]
    inferred: bool = False


def decode(raw: bytes, message: type[M]) -> M:
    """The method's message from a JSON body (an empty body is `{}`)."""
    try:
        data = json.loads(raw, parse_constant=_no_constant) if raw.strip() else {}
    except (ValueError, RecursionError):  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise Malformed("the json request could not be decoded") from None
    if not isinstance(data, dict):
        raise Malformed("the json request must be an object")
    try:
        return message.model_validate(data)
    except ValidationError as exc:
        raise _refusal(exc) from None


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def _refusal(exc: ValidationError) -> DomainError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    field = _where(tuple(first["loc"]))
    summary = "; ".join(f"{_where(tuple(e['loc']))}: {e['msg']}" for e in errors[:5])
    if any(e["type"] in _UNDECODABLE for e in errors):
        return Malformed(f"the json request could not be decoded: {summary}", field=field)
    return Invalid(summary, field=field, code="validation_failed")


def core(model: type[M], **data: Any) -> M:
    """A core request object from values the wire already checked; should a core rule
    still refuse one, that is the client's bad input, never a crash."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _refusal(exc) from None


@contextmanager
def fields_named(names: Mapping[str, str]) -> Iterator[None]:
    """Name the eTelecom field when a service refuses one of its own (`number` →
    `extension_number`), so `meta.argument` points at what the client sent."""
    try:
        yield
    except DomainError as exc:
        renamed = names.get(str(exc.details.get("field")))
        if renamed is None:
            raise
        raise type(exc)(exc.message, code=exc.code, **{**exc.details, "field": renamed}) from None


def one_id(primary: int | None, alias: int | None, name: str) -> int:
    """An id given as `name` or as `id` (inferred methods accept both), exactly once."""
    if primary is not None and alias is not None and primary != alias:
        raise Invalid(f"give {name} or id, not two different ids", field=name)
    chosen = primary if primary is not None else alias
    if chosen is None:
        raise Invalid(f"{name} is required (an int64 id other than 0)", field=name)
    return chosen
