"""Pure rules of SMS: how many parts a text takes, templates and their parameters."""

from __future__ import annotations

import math
import re
import secrets
import string
import unicodedata
from collections.abc import Mapping

from vpbx.errors import Invalid

# GSM 03.38: the default alphabet (one septet each) and its extension table (two each).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]{0,31})\}")
MAX_PARAM_LENGTH = 200
_REF_ALPHABET = string.ascii_uppercase + string.digits


def parts_of(text: str) -> int:
    """SMS parts the text takes: 160 GSM-7 characters in one part, 153 per part when
    concatenated; any other character makes it UCS-2: 70, then 67 per part. Vietnamese
    with diacritics is UCS-2, so it costs more than the same text without them."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text):
        units = sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
        return 1 if units <= 160 else math.ceil(units / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


def has_control_characters(text: str, *, allow_newlines: bool) -> bool:
    allowed = {"\n", "\r"} if allow_newlines else set()
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def clean_text(text: str, *, field: str, max_parts: int) -> str:
    """A message text: not blank, no control characters but line breaks, not too long."""
    if not text.strip():
        raise Invalid("the message text is empty", code="empty_text", field=field)
    if has_control_characters(text, allow_newlines=True):
        raise Invalid(
            "the message text must not contain control characters", code="invalid_text", field=field
        )
    parts = parts_of(text)
    if parts > max_parts:
        raise Invalid(
            f"the message takes {parts} SMS parts; at most {max_parts} are allowed",
            code="text_too_long",
            field=field,
        )
    return text


def template_params(body: str) -> list[str]:
    """The parameter names of a template body, in order of first use."""
    seen: dict[str, None] = {}
    for name in PLACEHOLDER.findall(body):
        seen.setdefault(name, None)
    return list(seen)


def render(body: str, params: Mapping[str, str]) -> str:
    """The template with every `{name}` replaced; every parameter must be given, and
    only those of the template (a stray one is more likely a typo than intended)."""
    names = template_params(body)
    for name in names:
        if name not in params:
            raise Invalid(
                f"parameter {name!r} is missing", code="template_param_missing", field=name
            )
    for name, value in params.items():
        if name not in names:
            raise Invalid(
                f"the template has no parameter {name!r}",
                code="template_param_unknown",
                field=name,
            )
        if len(value) > MAX_PARAM_LENGTH or has_control_characters(value, allow_newlines=False):
            raise Invalid(
                f"parameter {name!r} must be at most {MAX_PARAM_LENGTH} characters "
                "without control characters",
                code="template_param_invalid",
                field=name,
            )
    return PLACEHOLDER.sub(lambda match: params[match.group(1)], body)


def new_ref() -> str:
    """A message's public id: 30 random characters of A-Z and 0-9 (about 155 bits)."""
    return "".join(secrets.choice(_REF_ALPHABET) for _ in range(30))
