"""What Kamailio asks vpbx per call: the route decision, and where the outcome goes.

The SIP server serves every tenant, so it is not a tenant's API caller: it proves
itself with the instance's SIP token, and each request names its tenant by what the
call carries — the caller's SIP domain (from an extension) or the dialled hotline
(from a carrier trunk). A rejected call is recorded here at once; a routed one when
Kamailio posts how it ended.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from vpbx.calls.schemas import DIRECTIONS, CallRecordIn, Disposition
from vpbx.calls.schemas import Direction as CallDirection
from vpbx.calls.service import CallRecordService
from vpbx.config import Settings
from vpbx.errors import Invalid
from vpbx.models import Tenant
from vpbx.pbx.dialplan import DialPlanService
from vpbx.routing import model
from vpbx.routing.decision import Decision, LegKind, Reject
from vpbx.routing.phone import number_key, to_e164
from vpbx.routing.rules import resolve
from vpbx.sip.plan import TrunkTarget, kamailio_plan, legs_of, reject
from vpbx.sip.repository import SipRepository
from vpbx.sip.schemas import CallEvent, RouteRequest
from vpbx.tenancy.principal import Principal

ACTOR = "sip"


@dataclass(frozen=True, slots=True)
class CallContext:
    """What the call record will say besides the times: decided with the route and
    carried through Kamailio (as JSON text) until the call ends."""

    tenant: int
    direction: CallDirection
    caller: str
    callee: str
    hotline: str | None
    extension: str | None
    group: str | None
    candidates: tuple[str, ...]  # extensions the plan rings: who may have answered

    def dump(self) -> str:
        return json.dumps(
            {
                "tenant": self.tenant,
                "direction": self.direction,
                "caller": self.caller,
                "callee": self.callee,
                "hotline": self.hotline,
                "extension": self.extension,
                "group": self.group,
                "candidates": list(self.candidates),
            },
            separators=(",", ":"),
        )

    @classmethod
    def load(cls, text: str) -> CallContext:
        try:
            data = json.loads(text)
            direction = next(d for d in DIRECTIONS if d == data["direction"])
            return cls(
                tenant=int(data["tenant"]),
                direction=direction,
                caller=str(data["caller"]),
                callee=str(data["callee"]),
                hotline=data.get("hotline"),
                extension=data.get("extension"),
                group=data.get("group"),
                candidates=tuple(str(c) for c in data.get("candidates", [])),
            )
        except (ValueError, KeyError, TypeError, StopIteration):
            raise Invalid("context is not one vpbx gave", field="context") from None


def sip_principal(tenant: Tenant) -> Principal:
    """The SIP server acting for one tenant (audit actor "sip")."""
    return Principal(
        actor=ACTOR, partner_id=tenant.partner_id, tenant_id=tenant.id, is_partner=False
    )


class SipService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = SipRepository(session)
        self.plans = DialPlanService(session, settings)

    # --- route decisions ----------------------------------------------------------

    def route(self, request: RouteRequest, now: datetime) -> dict[str, Any]:
        tenant = self._tenant(request)
        if tenant is None:
            return reject(Reject(status=404, reason="no such domain or number"))
        plan = self.plans.load(tenant.id)
        call = model.CallRequest(
            dialled=request.dialled,
            caller=request.caller or "anonymous",
            caller_name=request.caller_name,
            direction_hint=model.Direction(request.direction),
            now=now,
        )
        decision = resolve(plan, call)
        context = self._context(tenant, plan, call, decision)
        if isinstance(decision, Reject):
            self._record_rejected(tenant, request, context, decision, now)
        trunk = self.repo.tenant_trunk(tenant.id)
        target = None if trunk is None else TrunkTarget(trunk.host, trunk.port, trunk.transport)
        return kamailio_plan(
            decision, domain=tenant.sip_domain, trunk=target, context=context.dump()
        )

    def _tenant(self, request: RouteRequest) -> Tenant | None:
        """From an extension: the tenant of the authenticated domain. From a trunk: the
        owner of the dialled hotline, if that trunk is one of its partner's."""
        if request.direction == "from_extension":
            return self.repo.tenant_by_domain(request.domain.strip().lower())
        e164 = to_e164(request.dialled, self.settings.default_country)
        trunk = self.repo.trunk_by_id(int(request.trunk)) if request.trunk else None
        if e164 is None or trunk is None:
            return None
        tenant = self.repo.tenant_by_hotline(e164)
        if tenant is None or tenant.partner_id != trunk.partner_id:
            return None
        return tenant

    def _context(
        self, tenant: Tenant, plan: model.DialPlan, call: model.CallRequest, decision: Decision
    ) -> CallContext:
        """Direction and parties of the call as its record will show them."""
        region = plan.default_country
        dialled = call.dialled.strip()
        base = CallContext(
            tenant=tenant.id,
            direction="internal",
            caller=call.caller.strip(),
            callee=dialled,
            hotline=None,
            extension=None,
            group=None,
            candidates=tuple(
                leg.target for leg in legs_of(decision) if leg.kind is LegKind.EXTENSION
            ),
        )
        key = number_key(dialled, region)
        if call.direction_hint is model.Direction.FROM_TRUNK:
            caller = number_key(call.caller, region)
            group = _group_of(plan, key, region)
            return replace(
                base, direction="in", caller=caller, callee=key, hotline=key, group=group
            )
        if dialled in {e.number for e in plan.extensions}:
            return replace(base, extension=dialled)
        if dialled in {g.number for g in plan.groups}:
            return replace(base, group=dialled)
        if key in {number_key(h.e164, region) for h in plan.hotlines}:  # a hairpin
            return replace(base, callee=key, hotline=key, group=_group_of(plan, key, region))
        caller_id = None if isinstance(decision, Reject) else decision.caller_id.number
        return replace(
            base,
            direction="out",
            callee=to_e164(dialled, region) or dialled,
            hotline=caller_id if caller_id and caller_id.startswith("+") else None,
            extension=base.caller,
            candidates=(),
        )

    def _record_rejected(
        self,
        tenant: Tenant,
        request: RouteRequest,
        context: CallContext,
        decision: Reject,
        now: datetime,
    ) -> None:
        self._store(
            tenant,
            request.call_id,
            context,
            started=now,
            answered=None,
            ended=now,
            disposition="rejected",
            status=decision.status,
            extension=context.extension if context.direction == "out" else None,
        )

    # --- call outcomes ------------------------------------------------------------

    def record(self, event: CallEvent) -> None:
        """Store how a routed call ended as its call record (idempotent on call_id)."""
        context = CallContext.load(event.context)
        tenant = self.repo.tenant(context.tenant)
        if tenant is None:  # deleted while the call ran: nothing to record it on
            return
        started, ended = _epoch(event.started, "started"), _epoch(event.ended, "ended")
        answered = _epoch(event.answered, "answered") if event.answered else None
        self._store(
            tenant,
            event.call_id,
            context,
            started=started,
            answered=answered,
            ended=max(ended, started),
            disposition=disposition(event.status, answered is not None),
            status=event.status,
            extension=_answering(context, event.answered_by, answered is not None),
        )

    def _store(
        self,
        tenant: Tenant,
        call_id: str,
        context: CallContext,
        *,
        started: datetime,
        answered: datetime | None,
        ended: datetime,
        disposition: Disposition,
        status: int,
        extension: str | None,
    ) -> None:
        record = CallRecordIn(
            call_id=call_id,
            direction=context.direction,
            caller=context.caller or "anonymous",
            callee=context.callee,
            hotline=context.hotline,
            extension=extension,
            group=context.group,
            started_at=started,
            answered_at=answered,
            ended_at=ended,
            disposition=disposition,
            sip_status=status,
        )
        CallRecordService(self.session, self.settings).record(sip_principal(tenant), record)


def disposition(status: int, answered: bool) -> Disposition:
    """A call's outcome from its final SIP status."""
    if answered or 200 <= status < 300:
        return "answered"
    if status in (486, 600):
        return "busy"
    if status in (408, 480, 487, 603):
        return "no_answer"
    return "failed"


def _answering(context: CallContext, answered_by: str | None, answered: bool) -> str | None:
    """The tenant extension of the call: the caller's on outbound calls; otherwise the
    one that answered (the answering contact's user, if it is one the plan rang; the
    only one rung when there was one), or the dialled extension."""
    if context.direction == "out":
        return context.extension
    if answered:
        if answered_by and answered_by in context.candidates:
            return answered_by
        if len(set(context.candidates)) == 1:
            return context.candidates[0]
        return None
    return context.extension


def _group_of(plan: model.DialPlan, hotline: str, region: str) -> str | None:
    """The ring group a hotline forwards to, if it does."""
    for h in plan.hotlines:
        forwarding = h.forwarding
        if (
            number_key(h.e164, region) == hotline
            and forwarding is not None
            and forwarding.type is model.ForwardingType.GROUP
        ):
            return forwarding.value.strip() or None
    return None


def _epoch(value: str | None, field: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(value or ""), UTC)
    except (ValueError, OverflowError, OSError):
        raise Invalid(f"{field} is not a time", field=field) from None
