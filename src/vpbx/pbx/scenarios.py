"""Scenarios: named voice menus (a greeting, then a key picks a target). Never commits.

Targets are stored as route resolution reads them: extension and group by dial-plan
number, an outside number in E.164, a sip: URI, scenario and call queue by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from vpbx.audit.service import record_change
from vpbx.errors import Conflict, Invalid, NotFound
from vpbx.models import Scenario
from vpbx.numbers.service import canonical_e164
from vpbx.pbx.forwarding import TargetUsage
from vpbx.pbx.forwarding_repository import ForwardingRepository
from vpbx.pbx.forwarding_rules import sip_uri
from vpbx.pbx.forwarding_schemas import (
    OptionIn,
    OptionOut,
    ScenarioCreate,
    ScenarioOut,
    ScenarioUpdate,
    TargetIn,
    TargetOut,
)
from vpbx.pbx.repository import PbxRepository
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import clean_name

Stored = tuple[str, str | None]  # (target kind, target value)


class ScenarioService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.repo = ForwardingRepository(session)
        self.pbx = PbxRepository(session)

    # --- reads ---------------------------------------------------------------------

    def get(self, principal: Principal, scenario_id: int) -> Scenario:
        scenario = self.repo.scenario(principal.require_tenant(), scenario_id)
        if scenario is None:
            raise NotFound(f"scenario {scenario_id} not found", code="scenario_not_found")
        return scenario

    def view(self, scenarios: Sequence[Scenario]) -> list[ScenarioOut]:
        options = self.repo.options([s.id for s in scenarios])
        return [
            ScenarioOut(
                id=s.id,
                name=s.name,
                greeting=s.greeting,
                input_timeout_s=s.input_timeout_s,
                options=[
                    OptionOut(
                        digit=o.digit,
                        target=TargetOut(kind=o.target_kind, value=o.target_value),
                    )
                    for o in options.get(s.id, [])
                ],
                no_input=TargetOut(kind=s.no_input_kind, value=s.no_input_value),
                created_at=s.created_at,
                updated_at=s.updated_at,
            )
            for s in scenarios
        ]

    def list_scenarios(
        self, principal: Principal, *, after_id: int | None, limit: int
    ) -> list[ScenarioOut]:
        rows = self.repo.scenarios(principal.require_tenant(), after_id=after_id, limit=limit)
        return self.view(rows)

    # --- changes -------------------------------------------------------------------

    def create(self, principal: Principal, data: ScenarioCreate) -> ScenarioOut:
        tenant_id = principal.require_tenant()
        name = clean_name(data.name)
        self._name_free(tenant_id, name)
        # Every target is checked before the row exists, so none can name the new scenario.
        no_input = self._target(tenant_id, data.no_input, "no_input", None)
        options = self._options(tenant_id, data.options, None)
        scenario = Scenario(
            tenant_id=tenant_id,
            name=name,
            greeting=data.greeting,
            input_timeout_s=data.input_timeout_s,
        )
        scenario.no_input_kind, scenario.no_input_value = no_input
        if not self.repo.flush_unique(scenario):
            raise _taken(name)
        self.repo.set_options(scenario.id, options)
        out = self.view([scenario])[0]
        record_change(
            self.session, principal, "scenario.create", "scenario", scenario.id, None, _fields(out)
        )
        return out

    def update(self, principal: Principal, scenario_id: int, data: ScenarioUpdate) -> ScenarioOut:
        scenario = self.get(principal, scenario_id)
        tenant_id = scenario.tenant_id
        before = _fields(self.view([scenario])[0])
        changes = data.model_dump(exclude_unset=True)
        if changes.get("name") is not None:
            name = clean_name(changes["name"])
            if name != scenario.name:
                self._name_free(tenant_id, name)
            scenario.name = name
        if changes.get("greeting") is not None:
            scenario.greeting = changes["greeting"]
        if changes.get("input_timeout_s") is not None:
            scenario.input_timeout_s = changes["input_timeout_s"]
        if data.no_input is not None:
            no_input = self._target(tenant_id, data.no_input, "no_input", scenario.id)
            scenario.no_input_kind, scenario.no_input_value = no_input
        if data.options is not None:
            self.repo.set_options(scenario.id, self._options(tenant_id, data.options, scenario.id))
        if not self.repo.flush_unique():
            raise _taken(scenario.name)
        out = self.view([scenario])[0]
        record_change(
            self.session,
            principal,
            "scenario.update",
            "scenario",
            scenario.id,
            before,
            _fields(out),
        )
        return out

    def delete(self, principal: Principal, scenario_id: int) -> None:
        scenario = self.get(principal, scenario_id)
        TargetUsage(self.session).scenario(scenario)
        before = _fields(self.view([scenario])[0])
        self.repo.remove(scenario)
        record_change(
            self.session, principal, "scenario.delete", "scenario", scenario_id, before, None
        )

    # --- rules ---------------------------------------------------------------------

    def _name_free(self, tenant_id: int, name: str) -> None:
        if self.repo.scenario_by_name(tenant_id, name) is not None:
            raise _taken(name)

    def _options(
        self, tenant_id: int, options: Sequence[OptionIn], self_id: int | None
    ) -> list[tuple[str, str, str | None]]:
        """Each key once; every target checked (see `_target`)."""
        seen: set[str] = set()
        stored = []
        for index, option in enumerate(options):
            if option.digit in seen:
                raise Invalid(f"key {option.digit} is listed twice", field=f"options.{index}.digit")
            seen.add(option.digit)
            kind, value = self._target(tenant_id, option.target, f"options.{index}.target", self_id)
            stored.append((option.digit, kind, value))
        return stored

    def _target(self, tenant_id: int, target: TargetIn, field: str, self_id: int | None) -> Stored:
        """A target in stored form, or Invalid: references must be this tenant's."""
        raw = target.value
        text = (str(raw) if raw is not None else "").strip()
        if target.kind == "hangup":
            if text:
                raise Invalid("a hangup target takes no value", field=f"{field}.value")
            return "hangup", None
        if not text:
            raise Invalid(f"a target of kind {target.kind} needs a value", field=f"{field}.value")
        at = f"{field}.value"
        match target.kind:
            case "extension":
                return "extension", self._extension(tenant_id, text, at)
            case "group":
                return "group", self._group(tenant_id, text, at)
            case "number":
                return "number", _number(text, at)
            case "sip_uri":
                return "sip_uri", sip_uri(str(raw), at)
            case "scenario":
                return "scenario", self._scenario(tenant_id, text, at, self_id)
            case _:
                return "call_queue", self._queue(tenant_id, text, at)

    def _extension(self, tenant_id: int, number: str, field: str) -> str:
        if self.pbx.extension_by_number(tenant_id, number) is None:
            raise Invalid(f"extension {number} not found", code="extension_not_found", field=field)
        return number

    def _group(self, tenant_id: int, number: str, field: str) -> str:
        if self.pbx.group_by_number(tenant_id, number) is None:
            raise Invalid(f"group {number} not found", code="group_not_found", field=field)
        return number

    def _scenario(self, tenant_id: int, value: str, field: str, self_id: int | None) -> str:
        scenario_id = _id(value)
        if (
            scenario_id is None
            or scenario_id == self_id
            or self.repo.scenario(tenant_id, scenario_id) is None
        ):
            raise Invalid(
                f"scenario {value} not found (nor may a scenario point at itself)",
                code="scenario_not_found",
                field=field,
            )
        return str(scenario_id)

    def _queue(self, tenant_id: int, value: str, field: str) -> str:
        queue_id = _id(value)
        if queue_id is None or self.repo.queue(tenant_id, queue_id) is None:
            raise Invalid(f"call queue {value} not found", code="call_queue_not_found", field=field)
        return str(queue_id)


def _number(value: str, field: str) -> str:
    try:
        return canonical_e164(value)
    except Invalid as exc:
        raise Invalid(exc.message, field=field) from None


def _id(value: str) -> int | None:
    """An object id as the database can hold it, else None (so: not found)."""
    if value.isascii() and value.isdigit() and 0 < int(value) < 2**63:
        return int(value)
    return None


def _taken(name: str) -> Conflict:
    return Conflict(f"a scenario named {name!r} exists", code="scenario_exists", field="name")


def _fields(out: ScenarioOut) -> dict[str, Any]:
    return out.model_dump(mode="json", exclude={"id", "created_at", "updated_at"})
