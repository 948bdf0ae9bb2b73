"""The tenant's dial plan as route resolution reads it, loaded from the database.

Everything a call can meet is loaded: extensions, ring groups (with the round-robin
rotation and each member's last answered call, from the call records), the tenant's
numbers with their forwarding and black/white lists, scenarios and call queues.
Outside numbers go through the tenant's carrier trunk (vpbx.sip); without one, 503.

A route is decided per call, so the plan is cached per process (`plan_for`): the
tenant row carries `plan_version`, which database triggers bump on every write to a
table the plan reads, and a cached plan serves while the version (and SIP domain) it
was built for is current. The call statistics (round-robin rotation, each member's
last answered call) change with every call, so they are never cached: they are read
per call, and only for the groups whose strategy uses them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from vpbx.calls.service import CallRecordService
from vpbx.config import Settings
from vpbx.kit.cache import VersionedCache
from vpbx.kit.rows import AnyRow
from vpbx.models import Extension
from vpbx.pbx.dialplan_repository import DialPlanRepository
from vpbx.pbx.plan_owner import PlanOwner
from vpbx.pbx.repository import PbxRepository
from vpbx.routing import model
from vpbx.routing.decision import Decision
from vpbx.routing.rules import resolve
from vpbx.sip.repository import SipRepository
from vpbx.tenancy.principal import Principal

# Tenant id → its dial plan without call statistics, for one PlanOwner.version.
_PLANS: VersionedCache[model.DialPlan] = VersionedCache(capacity=4096)
_STATISTICS = (model.Strategy.ROUND_ROBIN, model.Strategy.LONGEST_IDLE)


class DialPlanService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = PbxRepository(session)
        self.plans = DialPlanRepository(session)

    def load(self, tenant_id: int) -> model.DialPlan:
        """The tenant's plan read from the database now, statistics included."""
        domain = self.repo.tenant(tenant_id).sip_domain
        return self._with_statistics(tenant_id, self._static(tenant_id, domain))

    def plan_for(self, owner: PlanOwner) -> model.DialPlan:
        """The plan of `owner` (its row read in this transaction), from the cache while
        its version is current; statistics always fresh.

        The version is the one of the row the caller read *before* the plan: a plan
        read later is at least as new as its version says, so a change committed in
        between only costs one more reload, never a stale route."""
        plan = _PLANS.get(owner.id, owner.version)
        if plan is None:
            plan = self._static(owner.id, owner.sip_domain)
            _PLANS.put(owner.id, owner.version, plan)
        return self._with_statistics(owner.id, plan)

    def _static(self, tenant_id: int, sip_domain: str) -> model.DialPlan:
        """Everything but the call statistics."""
        extensions = self.repo.extensions(tenant_id)
        return model.DialPlan(
            tenant_id=str(tenant_id),
            sip_domain=sip_domain,
            default_country=self.settings.default_country,
            extensions=tuple(self._extensions(sip_domain, list(extensions))),
            groups=tuple(self._groups(tenant_id)),
            hotlines=tuple(self._hotlines(tenant_id)),
            scenarios=tuple(
                model.Scenario(id=str(row.id), name=row.name)
                for row in self.plans.scenarios(tenant_id)
            ),
            queues=tuple(self._queues(tenant_id)),
            trunk=self._trunk(tenant_id),
        )

    def resolve(
        self,
        principal: Principal,
        *,
        dialled: str,
        caller: str,
        caller_name: str | None,
        direction: model.Direction,
        now: datetime,
    ) -> Decision:
        plan = self.load(principal.require_tenant())
        call = model.CallRequest(
            dialled=dialled,
            caller=caller,
            caller_name=caller_name,
            direction_hint=direction,
            now=now,
        )
        return resolve(plan, call)

    def _trunk(self, tenant_id: int) -> str | None:
        """The name of the carrier trunk the tenant's outside calls use, if any."""
        trunk = SipRepository(self.session).tenant_trunk(tenant_id)
        return None if trunk is None else trunk.name

    def _extensions(self, domain: str, rows: list[Extension]) -> list[model.Extension]:
        hotlines = self.repo.hotlines([e.id for e in rows])
        caller_ids = self.repo.e164_of(
            [e.caller_id_number_id for e in rows if e.caller_id_number_id]
        )
        return [
            model.Extension(
                number=e.number,
                display_name=e.display_name,
                sip_uri=f"sip:{e.number}@{domain}",
                enabled=e.enabled,
                expires_at=e.expires_at,
                caller_id_hotline=caller_ids.get(e.caller_id_number_id or 0),
                outbound_hotlines=tuple(hotlines.get(e.id, [])),
            )
            for e in rows
        ]

    def _with_statistics(self, tenant_id: int, plan: model.DialPlan) -> model.DialPlan:
        """`plan` with the rotation of its round-robin groups and the last answered call
        of its longest-idle groups' members, read now (nothing read if it has none)."""
        needing = [g for g in plan.groups if g.strategy in _STATISTICS]
        if not needing:
            return plan
        rotating = [g.number for g in needing if g.strategy is model.Strategy.ROUND_ROBIN]
        rotations = self.plans.group_call_counts(tenant_id, rotating) if rotating else {}
        idle_members = {
            m.extension
            for g in needing
            if g.strategy is model.Strategy.LONGEST_IDLE
            for m in g.members
        }
        last_answered = (
            CallRecordService(self.session, self.settings).last_call_ended(
                tenant_id, sorted(idle_members)
            )
            if idle_members
            else {}
        )

        def counted(group: model.RingGroup) -> model.RingGroup:
            if group.strategy is model.Strategy.ROUND_ROBIN:
                return replace(group, rotation=rotations.get(group.number, 0))
            if group.strategy is model.Strategy.LONGEST_IDLE:
                ended = tuple((m.extension, last_answered.get(m.extension)) for m in group.members)
                return replace(group, last_call_ended_at=ended)
            return group

        return replace(plan, groups=tuple(counted(g) for g in plan.groups))

    def _groups(self, tenant_id: int) -> list[model.RingGroup]:
        groups = list(self.repo.groups(tenant_id, after_id=None, limit=10_000))
        members = self.repo.members([g.id for g in groups])
        plans = []
        for g in groups:
            plans.append(
                model.RingGroup(
                    number=g.number,
                    name=g.name,
                    strategy=model.Strategy(g.strategy),
                    members=tuple(
                        model.GroupMember(extension=m.number, timeout_s=m.timeout_s)
                        for m in members.get(g.id, [])
                    ),
                    group_timeout_s=g.timeout_s,
                    no_answer=None
                    if g.no_answer_kind == "hangup"
                    else model.Target(
                        kind=model.TargetKind(g.no_answer_kind), value=g.no_answer_value or ""
                    ),
                )
            )
        return plans

    def _hotlines(self, tenant_id: int) -> list[model.Hotline]:
        screening = self.plans.screening(tenant_id)
        return [
            model.Hotline(
                e164=row.e164,
                forwarding=_forwarding(row),
                blacklist=tuple(screening.get((row.id, "black"), ())),
                whitelist=tuple(screening.get((row.id, "white"), ())),
            )
            for row in self.plans.hotlines(tenant_id)
        ]

    def _queues(self, tenant_id: int) -> list[model.CallQueue]:
        members = self.plans.queue_members(tenant_id)
        return [
            model.CallQueue(
                id=str(q.id),
                name=q.name,
                members=tuple(members.get(q.id, [])),
                strategy=model.Strategy(q.strategy),
                max_wait_s=q.max_wait_s,
            )
            for q in self.plans.queues(tenant_id)
        ]


def _forwarding(row: AnyRow) -> model.Forwarding | None:
    """The routing form of a stored forwarding: each type names its target by value."""
    if row.type is None:
        return None
    kind = model.ForwardingType(row.type)
    value = {
        model.ForwardingType.SIP: row.extension_number,
        model.ForwardingType.NUMBER: row.destination,
        model.ForwardingType.SIP_URI: row.destination,
        model.ForwardingType.GROUP: row.group_number,
        model.ForwardingType.SCENARIO: row.scenario_id,
        model.ForwardingType.CALL_QUEUE: row.call_queue_id,
        model.ForwardingType.BITRIX: row.host,
        model.ForwardingType.AMO: row.host,
    }.get(kind)
    return model.Forwarding(
        type=kind,
        value="" if value is None else str(value),
        cli_mode=model.CliMode(row.cli_mode or "Y"),
    )
