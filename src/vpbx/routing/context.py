"""What every rule needs: the plan's lookup tables, who is calling, and how to reject.

`Rejected` unwinds a resolution from any depth to `rules.resolve`, which turns it into
its `Reject`; it never escapes the package.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from vpbx.routing.decision import CallerId, Leg, LegKind, Reject
from vpbx.routing.model import (
    CallQueue,
    CallRequest,
    DialPlan,
    Extension,
    Hotline,
    RingGroup,
    Scenario,
)
from vpbx.routing.phone import number_key

__all__ = [
    "BUSY",
    "FORBIDDEN",
    "LOOP",
    "NOT_FOUND",
    "NO_TRUNK",
    "UNAVAILABLE",
    "CallContext",
    "Rejected",
    "extension_problem",
]

# SIP final responses used by the rules (the table is in rules.py).
FORBIDDEN = 403
NOT_FOUND = 404
UNAVAILABLE = 480
LOOP = 482
BUSY = 486
NO_TRUNK = 503


class Rejected(Exception):
    """Stop resolving and answer the call with `reject`."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.reject = Reject(status=status, reason=reason)


def extension_problem(ext: Extension | None, now: datetime) -> str | None:
    """Why an extension cannot make or take calls ("unknown", "disabled", "expired"),
    or None when it can. It expires at `expires_at`: `now >= expires_at` is expired."""
    if ext is None:
        return "unknown"
    if not ext.enabled:
        return "disabled"
    if ext.expires_at is not None and now >= ext.expires_at:
        return "expired"
    return None


@dataclass(frozen=True, slots=True)
class CallContext:
    """One resolution: the plan's lookup tables plus who is calling and how.

    `caller_ext` is the calling extension (internal calls and hairpins). `internal` marks
    calls presented with the internal caller ID, whose legs to outside numbers need the
    caller's outbound identity `outbound` (None: not usable, see R1d).
    """

    plan: DialPlan
    request: CallRequest
    extensions: dict[str, Extension]
    groups: dict[str, RingGroup]
    hotlines: dict[str, Hotline]
    scenarios: dict[str, Scenario]
    queues: dict[str, CallQueue]
    caller_ext: Extension | None = None
    internal: bool = False
    outbound: CallerId | None = None

    @classmethod
    def build(cls, plan: DialPlan, request: CallRequest) -> CallContext:
        """Index the plan; on duplicate keys the first object wins. Hotlines are keyed by
        their E.164 form, so "842471234567" and "+842471234567" are the same hotline."""
        extensions: dict[str, Extension] = {}
        for ext in plan.extensions:
            extensions.setdefault(ext.number.strip(), ext)
        groups: dict[str, RingGroup] = {}
        for group in plan.groups:
            groups.setdefault(group.number.strip(), group)
        hotlines: dict[str, Hotline] = {}
        for hotline in plan.hotlines:
            hotlines.setdefault(number_key(hotline.e164, plan.default_country), hotline)
        scenarios: dict[str, Scenario] = {}
        for scenario in plan.scenarios:
            scenarios.setdefault(scenario.id.strip(), scenario)
        queues: dict[str, CallQueue] = {}
        for queue in plan.queues:
            queues.setdefault(queue.id.strip(), queue)
        return cls(plan, request, extensions, groups, hotlines, scenarios, queues)

    @property
    def region(self) -> str:
        return self.plan.default_country

    def with_caller(self, caller: Extension, *, internal: bool) -> CallContext:
        """This context for a call made by `caller` (internal, or a hairpin)."""
        outbound = self.outbound_caller_id_or_none(caller) if internal else None
        return dataclasses.replace(self, caller_ext=caller, internal=internal, outbound=outbound)

    # --- extensions -----------------------------------------------------------------------

    def problem(self, ext: Extension | None) -> str | None:
        return extension_problem(ext, self.request.now)

    def reachable(self, number: str) -> Extension | None:
        """The extension with this number if it exists, is enabled and has not expired."""
        ext = self.extensions.get(number.strip())
        return ext if self.problem(ext) is None else None

    def is_caller(self, ext: Extension) -> bool:
        return self.caller_ext is not None and self.caller_ext.number == ext.number

    def extension_leg(self, ext: Extension) -> Leg:
        """A leg to an extension: its sip_uri, or sip:<number>@<sip_domain> when unset."""
        address = ext.sip_uri.strip() or f"sip:{ext.number}@{self.plan.sip_domain}"
        return Leg(
            kind=LegKind.EXTENSION, target=ext.number, address=address, name=ext.display_name
        )

    def usable(self, numbers: tuple[str, ...]) -> list[tuple[int, Extension]]:
        """Reachable extensions among `numbers` with their index there, in order, without
        repeats (the first occurrence counts) or the calling extension."""
        found: list[tuple[int, Extension]] = []
        seen: set[str] = set()
        for index, number in enumerate(numbers):
            ext = self.reachable(number)
            if ext is None or ext.number in seen or self.is_caller(ext):
                continue
            seen.add(ext.number)
            found.append((index, ext))
        return found

    # --- caller IDs (R5) ------------------------------------------------------------------

    def outbound_caller_id(self, ext: Extension) -> CallerId:
        """The caller ID of an outbound call by `ext`, or raise 403 (the R1d checks)."""
        raw = (ext.caller_id_hotline or "").strip()
        if not raw:
            raise Rejected(FORBIDDEN, "no outbound caller ID")
        hotline = number_key(raw, self.region)
        if hotline not in self.hotlines:
            raise Rejected(FORBIDDEN, f"caller ID {hotline} is not a tenant number")
        allowed = {number_key(h, self.region) for h in ext.outbound_hotlines}
        if allowed and hotline not in allowed:
            raise Rejected(FORBIDDEN, f"outbound on {hotline} not permitted")
        return CallerId(number=hotline, name=ext.display_name or None, pai=hotline)

    def outbound_caller_id_or_none(self, ext: Extension) -> CallerId | None:
        try:
            return self.outbound_caller_id(ext)
        except Rejected:
            return None

    def trunk(self) -> str:
        """The plan's trunk, or raise 503."""
        trunk = (self.plan.trunk or "").strip()
        if not trunk:
            raise Rejected(NO_TRUNK, "no outbound trunk")
        return trunk
