"""The abuse limits on one-time codes, counted from the code log in the database (API
nodes keep no state of their own): a resend cool-down per phone, and per-phone and
per-key budgets. The caller holds the phone's lock (`PackageRepository.lock_phone`)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from vpbx.config import Settings
from vpbx.errors import RateLimited
from vpbx.packages.repository import PackageRepository
from vpbx.tenancy.principal import Principal


def check_limits(
    repo: PackageRepository, settings: Settings, principal: Principal, phone: str, now: datetime
) -> None:
    """Refuse (429, with `retry_after` seconds) a code the limits do not allow now."""
    last = repo.last_send(phone)
    if last is not None and (wait := seconds_left(last, settings.otp_resend_cooldown_seconds, now)):
        raise RateLimited(
            f"a code went to {phone} {int((now - last).total_seconds())} s ago: "
            f"wait {wait} s before asking again",
            code="otp_cooldown",
            retry_after=wait,
        )
    count, first = repo.sends_since(now - timedelta(hours=1), phone=phone)
    if count >= settings.otp_phone_limit_per_hour and first is not None:
        raise RateLimited(
            f"{phone} got {count} codes in the last hour, the most allowed",
            code="otp_phone_limit",
            retry_after=seconds_left(first, 3600, now) or 1,
        )
    if principal.api_key_id is None:  # the operator's own tools have no key to budget
        return
    count, first = repo.sends_since(now - timedelta(minutes=1), api_key_id=principal.api_key_id)
    if count >= settings.otp_key_limit_per_minute and first is not None:
        raise RateLimited(
            f"this key had {count} codes sent in the last minute, the most allowed",
            code="otp_key_limit",
            retry_after=seconds_left(first, 60, now) or 1,
        )


def seconds_left(since: datetime, window_s: int, now: datetime) -> int:
    """Whole seconds until `window_s` after `since` has passed (0 when it has)."""
    return max(0, math.ceil(window_s - (now - since).total_seconds()))
