"""The digit-mask language of number search: digits, `?` (one digit), `*` (any run).

A mask is matched against the whole national number, or against the subscriber part
when the search names an area code. It compiles to a SQL LIKE pattern plus, when the
mask has a literal prefix or suffix, a btree range that both databases can use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vpbx.errors import Invalid

MAX_DIGITS = 15  # E.164 allows at most 15 digits in all
_MASK = re.compile(r"^[0-9?*]+$")


@dataclass(frozen=True)
class CompiledMask:
    like: str  # SQL LIKE pattern: `_` one character, `%` any run
    prefix: str  # literal digits the value must start with ('' if none)
    suffix: str  # literal digits the value must end with ('' if none)
    exact_length: int | None  # set when the mask has no `*`

    @property
    def matches_everything(self) -> bool:
        return self.like == "%"


def compile_mask(mask: str) -> CompiledMask:
    """Validate and compile a mask, or raise Invalid with the reason."""
    mask = mask.strip()
    if not mask:
        raise Invalid("the mask is empty", field="mask")
    if not _MASK.match(mask):
        raise Invalid(
            f"mask {mask!r} may contain only digits, '?' (one digit) and '*' (any digits)",
            field="mask",
        )
    mask = re.sub(r"\*+", "*", mask)  # '**' means the same as '*'
    fixed = sum(1 for ch in mask if ch != "*")
    if fixed > MAX_DIGITS:
        raise Invalid(
            f"mask {mask!r} has {fixed} digits; a phone number has at most {MAX_DIGITS}",
            field="mask",
        )
    like = mask.replace("?", "_").replace("*", "%")
    return CompiledMask(
        like=like,
        prefix=_leading_literal(mask),
        suffix=_leading_literal(mask[::-1])[::-1],
        exact_length=None if "*" in mask else len(mask),
    )


def _leading_literal(mask: str) -> str:
    match = re.match(r"[0-9]*", mask)
    return match.group(0) if match else ""


def prefix_upper_bound(prefix: str) -> str:
    """The smallest digit string greater than every string starting with `prefix`.

    '24777' -> '24778', '249' -> '24:' (':' sorts right after '9' in ASCII).
    """
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
