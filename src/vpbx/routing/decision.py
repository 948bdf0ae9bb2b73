"""The output of route resolution: reject the call, or route it along an ordered plan.

A `Route` is a sequence of `Step`s tried in order; each step rings its `Leg`s (all at
once when `parallel`, else its single leg) for `timeout_s` seconds, 0 meaning no timer
from the PBX (hand-offs and calls to outside numbers: the far side decides). When a step
is answered the plan stops. `after` says what the plan ends with: "hangup" (nobody
answered: release the call) or "handoff" (the last step handed the call to a scenario,
queue or CRM integration, which owns it from then on).

`to_dict()` returns JSON-ready data (str, int, bool, None, lists, dicts) with every key
always present, so the SIP server's side can rely on a fixed shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from vpbx.routing.model import Strategy

__all__ = ["After", "CallerId", "Decision", "Leg", "LegKind", "Reject", "Route", "Step"]


class LegKind(StrEnum):
    """What one leg of a step reaches."""

    EXTENSION = "extension"  # target: extension number, address: its SIP URI
    NUMBER = "number"  # target/address: E.164, sent out on `trunk`
    SIP_URI = "sip_uri"  # target/address: the URI
    SCENARIO = "scenario"  # target: scenario id (hand-off)
    CALL_QUEUE = "call_queue"  # target: queue id, members: its extensions (hand-off)
    CRM = "crm"  # target: CRM host, name: "bitrix" or "amo" (hand-off)


class After(StrEnum):
    """How a route ends."""

    HANGUP = "hangup"
    HANDOFF = "handoff"


@dataclass(frozen=True, slots=True, kw_only=True)
class CallerId:
    """The identity presented to the called legs: From number and display name, and the
    P-Asserted-Identity (None: do not assert one)."""

    number: str
    name: str | None = None
    pai: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "name": self.name, "pai": self.pai}


@dataclass(frozen=True, slots=True, kw_only=True)
class Leg:
    """One destination to ring.

    `address` is what the SIP server dials (a SIP URI, or an E.164 on `trunk`), empty for
    hand-offs. `name` is a display label (extension display name, scenario or queue name,
    CRM flavour). `strategy` and `members` describe a call queue. `caller_id`, when set,
    replaces the route's caller ID on this leg only (an internal call whose no-answer
    target is an outside number goes out with the caller's outbound identity).
    """

    kind: LegKind
    target: str
    address: str = ""
    name: str = ""
    trunk: str | None = None
    strategy: Strategy | None = None
    members: tuple[Leg, ...] = ()
    caller_id: CallerId | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "target": self.target,
            "address": self.address,
            "name": self.name,
            "trunk": self.trunk,
            "strategy": None if self.strategy is None else self.strategy.value,
            "members": [member.to_dict() for member in self.members],
            "caller_id": None if self.caller_id is None else self.caller_id.to_dict(),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """Legs rung together (parallel) or a single leg, for timeout_s seconds (0 = no timer)."""

    legs: tuple[Leg, ...]
    parallel: bool
    timeout_s: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "legs": [leg.to_dict() for leg in self.legs],
            "parallel": self.parallel,
            "timeout_s": self.timeout_s,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Reject:
    """Refuse the call with a SIP final response."""

    status: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"action": "reject", "status": self.status, "reason": self.reason}


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """Ring the steps in order, presenting caller_id; then `after`."""

    steps: tuple[Step, ...]
    caller_id: CallerId
    after: After = After.HANGUP

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": "route",
            "steps": [step.to_dict() for step in self.steps],
            "caller_id": self.caller_id.to_dict(),
            "after": self.after.value,
        }


Decision = Reject | Route
