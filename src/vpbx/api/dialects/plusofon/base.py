"""The Plusofon route classes and how a request's parameters are read.

Plusofon's callers send `Client` (an application id, accepted and ignored) and
`Authorization: Bearer <token>`, where the token is a vpbx API key. Its GET methods
take their documented "Body" parameters from a JSON body, as the document's own
JavaScript, PHP and Python examples send them, or from the query string; its curl
examples (`curl -G -d '{json}'`) put that very JSON in the query string, so a query
string that is a JSON object is read as the body too. Like Laravel's `$request->input`,
body values win over query values of the same name.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar
from urllib.parse import unquote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from vpbx.api.dialects.kit import DialectRoute, Failure
from vpbx.api.dialects.plusofon import errors
from vpbx.api.transaction import authenticate
from vpbx.errors import NotFound
from vpbx.tenancy.principal import Principal

M = TypeVar("M", bound=BaseModel)
MAX_BODY = 1_000_000


class PlusofonRoute(DialectRoute):
    def identify(self, session: Session, request: Request) -> Principal | None:
        return authenticate(session, request)

    def render_error(self, request: Request, failure: Failure) -> Response:
        return errors.render(failure)


class PlusofonOpenRoute(PlusofonRoute):
    """Paths Plusofon does not have: answered in its envelope without a caller."""

    def identify(self, session: Session, request: Request) -> Principal | None:
        return None


def _malformed(message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body",), "msg": message, "type": "json_invalid"}])


def _json_object(text: str | bytes) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise _malformed("The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise _malformed("The request body must be a JSON object.")
    return value


def _query(request: Request) -> dict[str, Any]:
    # curl sends the JSON verbatim (a '+' in it is a plus); a browser percent-encodes it.
    raw = unquote(request.url.query)
    if raw.lstrip().startswith("{"):
        return _json_object(raw)
    values: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key.endswith("[]"):  # Laravel's array notation: numbers[]=1&numbers[]=2
            values.setdefault(key[:-2], []).append(value)
        elif key in values:
            held = values[key]
            values[key] = [*held, value] if isinstance(held, list) else [held, value]
        else:
            values[key] = value
    return values


async def read_input(request: Request) -> dict[str, Any]:
    """The request's parameters: the query string, overlaid with the JSON body."""
    values = _query(request)
    body = await request.body()
    if len(body) > MAX_BODY:
        raise _malformed("The request body is too large.")
    if body.strip():
        kind = request.headers.get("content-type", "application/json").lower()
        if "json" not in kind:
            raise _malformed("Send the body as JSON (Content-Type: application/json).")
        values.update(_json_object(body))
    return values


Input = Annotated[dict[str, Any], Depends(read_input)]


def _label(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "body"


def _laravel(error: Any) -> str:
    """Pydantic's complaint in Laravel's words ("The x field is required.")."""
    field = _label(tuple(error["loc"])).replace("_", " ")
    kind = error["type"]
    if kind == "missing" or (kind == "too_short" and isinstance(error.get("input"), list)):
        return f"The {field} field is required."  # Laravel's `required` refuses []
    if kind in {"literal_error", "enum"}:
        return f"The selected {field} is invalid."
    if kind.startswith("int_") or kind == "bool_parsing":
        return f"The {field} must be an integer."
    if kind.startswith("string_"):
        if kind == "string_pattern_mismatch":
            return f"The {field} format is invalid."
        if kind == "string_too_short":
            return f"The {field} must be at least {error['ctx']['min_length']} characters."
        if kind == "string_too_long":
            return f"The {field} must not be greater than {error['ctx']['max_length']} characters."
        return f"The {field} must be a string."
    if kind == "list_type":
        return f"The {field} must be an array."
    if kind in {"greater_than_equal", "less_than_equal", "too_long"}:
        return f"The {field} is out of range."
    return f"The {field} is invalid."


def parse(model: type[M], values: dict[str, Any]) -> M:
    """The parameters as the endpoint's model, or Laravel's 422 naming each field."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise RequestValidationError(
            [
                {"loc": tuple(e["loc"]), "msg": _laravel(e), "type": e["type"]}
                for e in exc.errors(include_url=False)
            ]
        ) from None


def path_id(text: str, what: str = "number") -> int:
    """An id from the path; anything that is not one names nothing (404, like Laravel's
    route constraints)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 19 and 0 < int(text) < 2**63):
        raise NotFound(f"{what} {text[:40]} not found", code=f"{what}_not_found")
    return int(text)
