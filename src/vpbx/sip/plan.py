"""A route decision in the form Kamailio's script carries out (pure functions).

Kamailio walks `steps` in order. Each step rings its `uris` together for `timeout`
seconds (0: no PBX timer); `lookup` says the URIs are accounts to find among the
registrations (extensions) rather than addresses to send to; `from_user`, `from_name`
and `pai` are the caller ID its legs present. Hand-offs to a scenario or a CRM need a
media server this SIP server does not have, so they are left out (a call queue rings
its reachable members together for its wait time); a route left with no step is
refused with 480.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vpbx.routing.decision import CallerId, Decision, Leg, LegKind, Reject, Route, Step


@dataclass(frozen=True, slots=True)
class TrunkTarget:
    """Where a tenant's outside calls go."""

    host: str
    port: int
    transport: str

    def uri(self, e164: str) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"sip:{e164}@{host}:{self.port};transport={self.transport}"


NO_MEDIA = Reject(status=480, reason="hand-off needs a media server")


def kamailio_plan(
    decision: Decision, *, domain: str, trunk: TrunkTarget | None, context: str
) -> dict[str, Any]:
    """The JSON answer to Kamailio's route request."""
    if isinstance(decision, Reject):
        return reject(decision)
    steps = [s for step in decision.steps for s in _steps(step, decision, domain, trunk)]
    if not steps:
        return reject(NO_MEDIA)
    return {"action": "route", "steps": steps, "context": context}


def reject(decision: Reject) -> dict[str, Any]:
    # The reason goes into a SIP status line: keep it to printable ASCII.
    reason = "".join(ch for ch in decision.reason if " " <= ch <= "~")[:120] or "Rejected"
    return {"action": "reject", "status": decision.status, "reason": reason}


def _steps(
    step: Step, route: Route, domain: str, trunk: TrunkTarget | None
) -> list[dict[str, Any]]:
    """Usually one Kamailio step per decided step; accounts and plain addresses are
    never mixed in one (a step's legs are all extensions, or a single other leg)."""
    accounts: list[str] = []
    addresses: list[tuple[str, CallerId | None]] = []
    for leg in step.legs:
        if leg.kind is LegKind.EXTENSION:
            accounts.append(leg.address)
        elif leg.kind is LegKind.CALL_QUEUE:
            accounts.extend(member.address for member in leg.members)
        elif leg.kind is LegKind.NUMBER and trunk is not None:
            addresses.append((trunk.uri(leg.address), leg.caller_id))
        elif leg.kind is LegKind.SIP_URI:
            addresses.append((leg.address, leg.caller_id))
        # scenario and CRM hand-offs: nothing this SIP server can ring
    found = []
    if accounts:
        found.append(_step(accounts, True, step.timeout_s, route.caller_id, domain))
    for address, caller_id in addresses:
        found.append(_step([address], False, step.timeout_s, caller_id or route.caller_id, domain))
    return found


def _step(
    uris: list[str], lookup: bool, timeout: int, caller_id: CallerId, domain: str
) -> dict[str, Any]:
    return {
        "uris": uris,
        "lookup": 1 if lookup else 0,
        "timeout": timeout,
        "from_user": _user(caller_id.number),
        "from_name": _display(caller_id.name or ""),
        "pai": f"sip:{_user(caller_id.pai)}@{domain}" if caller_id.pai else "",
    }


def _user(number: str) -> str:
    """A SIP user part: the characters a number or "anonymous" can have."""
    return "".join(ch for ch in number if ch.isascii() and (ch.isalnum() or ch in "+-._*#"))


def _display(name: str) -> str:
    """A display name for a quoted string: no quotes, backslashes or control characters."""
    return "".join(ch for ch in name if ch.isprintable() and ch not in '"\\')[:80]


def legs_of(decision: Decision) -> list[Leg]:
    """Every leg a route may ring (queue members included), in order."""
    if isinstance(decision, Reject):
        return []
    legs: list[Leg] = []
    for step in decision.steps:
        for leg in step.legs:
            legs.append(leg)
            legs.extend(leg.members)
    return legs
