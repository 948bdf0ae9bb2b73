"""Pure rules of call records: numbers, times, durations and the list cursor. No I/O."""

from __future__ import annotations

import base64
import binascii
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from vpbx.calls.schemas import CallRecordIn, Disposition
from vpbx.errors import Invalid
from vpbx.routing.phone import ANONYMOUS, to_e164

# A call record from before this is a clock that was never set, not a call.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
# How far a SIP server's clock may run ahead of ours before its times are refused.
CLOCK_SKEW = timedelta(minutes=10)
# A sender's own duration may differ from ours by rounding: a second either way.
TOLERANCE_S = 1.0
# Extensions and groups are 3-6 digits; anything longer without "+" is a phone number.
DIAL_PLAN_DIGITS = 6
# Readable separators people and carriers put in numbers; dropped before checking.
_SEPARATORS = str.maketrans("", "", " -().")
_PHONE = re.compile(r"\+[0-9]{1,31}")
_DIALLED = re.compile(r"[0-9*#]{1,32}")  # digits plus the keypad's * and # (feature codes)
ANONYMOUS_CALLER = "anonymous"


def normalise_party(raw: str, region: str, *, field: str, anonymous_ok: bool) -> str:
    """A caller or callee as stored: E.164 when it is a valid phone number, else the
    dialled digits (an extension, a short code, a number libphonenumber does not know).
    A withheld caller is stored as "anonymous"."""
    text = raw.strip()
    if text.lower() in ANONYMOUS:
        if anonymous_ok and text:
            return ANONYMOUS_CALLER
        raise Invalid(f"{field} must be a number", field=field)
    compact = _ascii_digits(text).translate(_SEPARATORS)
    if not (_PHONE.fullmatch(compact) or _DIALLED.fullmatch(compact)):
        raise Invalid(
            f"{field} {raw!r} is not a number: use digits (with an optional leading +, "
            "or * and #), at most 32",
            field=field,
        )
    if compact.startswith("+") or (compact.isdigit() and len(compact) > DIAL_PLAN_DIGITS):
        return to_e164(compact, region) or compact
    return compact


def _ascii_digits(text: str) -> str:
    """Digits of any script as ASCII ("１０１" is 101), as libphonenumber reads them."""
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text
    )


def search_key(raw: str, region: str) -> str:
    """A number searched for, in the form intake stores (national forms accepted)."""
    try:
        return normalise_party(raw, region, field="number", anonymous_ok=True)
    except Invalid:
        return raw.strip()  # matches nothing stored, which is the honest answer


def hotline_e164(raw: str, region: str, *, field: str = "hotline") -> str:
    e164 = to_e164(raw.translate(_SEPARATORS), region)
    if e164 is None:
        raise Invalid(f"{field} {raw!r} is not a valid phone number", field=field)
    return e164


def check_recording_url(url: str | None) -> str | None:
    if url is None:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("recording_url must be an http(s) URL", field="recording_url")
    if any(ch.isspace() for ch in url):
        raise Invalid("recording_url must not contain spaces", field="recording_url")
    return url


def utc(value: datetime, field: str) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise Invalid(f"{field} is out of range", field=field) from None


@dataclass(frozen=True)
class Times:
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime
    duration_s: int
    billsec: int


def check_times(data: CallRecordIn, now: datetime) -> Times:
    """Times in UTC, in order, not from a clock gone wrong, and consistent with the
    disposition; the durations are ours, the sender's must agree with them."""
    started = utc(data.started_at, "started_at")
    answered = None if data.answered_at is None else utc(data.answered_at, "answered_at")
    ended = utc(data.ended_at, "ended_at")
    if started < EARLIEST:
        raise Invalid("started_at is before 2000: check the SIP server's clock", field="started_at")
    if ended > now + CLOCK_SKEW:
        raise Invalid(
            "ended_at is in the future: check the SIP server's clock",
            code="call_in_future",
            field="ended_at",
        )
    _in_order(started, answered, ended)
    _disposition(data.disposition, answered)
    duration = _seconds(ended - started, data.duration_s, "duration_s")
    talk = timedelta(0) if answered is None else ended - answered
    billsec = _seconds(talk, data.billsec, "billsec")
    return Times(started, answered, ended, duration, billsec)


def _in_order(started: datetime, answered: datetime | None, ended: datetime) -> None:
    if ended < started:
        raise Invalid(
            "ended_at is before started_at", code="call_times_out_of_order", field="ended_at"
        )
    if answered is not None and not started <= answered <= ended:
        raise Invalid(
            "answered_at must lie between started_at and ended_at",
            code="call_times_out_of_order",
            field="answered_at",
        )


def _disposition(disposition: Disposition, answered: datetime | None) -> None:
    if disposition == "answered" and answered is None:
        raise Invalid(
            "an answered call needs answered_at", code="answered_at_required", field="answered_at"
        )
    if disposition != "answered" and answered is not None:
        raise Invalid(
            f"a call with disposition {disposition} was not answered: omit answered_at",
            code="answered_at_not_allowed",
            field="answered_at",
        )


def _seconds(span: timedelta, given: int | None, field: str) -> int:
    """Whole seconds (truncated, as SIP servers count them), checked against the sender's."""
    exact = span.total_seconds()
    if given is not None and abs(given - exact) > TOLERANCE_S:
        raise Invalid(
            f"{field} {given} does not match the call's times ({math.floor(exact)} s)",
            code=f"{field.removesuffix('_s')}_mismatch",
            field=field,
        )
    return math.floor(exact)


# --- the list cursor -------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_MICROS = int((datetime(9999, 12, 31, tzinfo=UTC) - _EPOCH).total_seconds()) * 10**6


def encode_cursor(started_at: datetime, record_id: int) -> str:
    """A record's position in newest-first order, opaque to clients. The same token is a
    bound either way: the calls after it (a next cursor) or before it (a previous one)."""
    micros = (started_at - _EPOCH) // timedelta(microseconds=1)
    return base64.urlsafe_b64encode(f"{micros}.{record_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, field: str = "cursor") -> tuple[datetime, int]:
    bad = Invalid(
        f"{field} is not a cursor this API returned", code="validation_failed", field=field
    )
    if not (cursor.isascii() and 0 < len(cursor) <= 64):
        raise bad
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad from None
    micros, _, record_id = text.partition(".")
    if not (_is_int(micros) and _is_int(record_id)):
        raise bad
    if not (0 <= int(micros) <= _MAX_MICROS and 1 <= int(record_id) <= 2**63 - 1):
        raise bad
    return _EPOCH + timedelta(microseconds=int(micros)), int(record_id)


def _is_int(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 19
