"""Forwarding of the tenant's numbers (Plusofon's number/follow). Never commits.

A forwarding is one row per number; "empty" is a forwarding too (calls hear "not in
service"), so clearing one keeps the time it was cleared. One spec can be applied to
many numbers at once, all or nothing: every number and every reference is checked
before the first row changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from vpbx.audit.service import record_change
from vpbx.errors import Conflict, Invalid, NotFound
from vpbx.models import Extension, Number, NumberForwarding, RingGroup, Scenario
from vpbx.models.base import utcnow
from vpbx.models.forwarding import CallQueue
from vpbx.numbers.service import MAX_NUMBERS_PER_REQUEST, canonical_e164
from vpbx.pbx.forwarding_repository import ForwardingRepository
from vpbx.pbx.forwarding_rules import (
    BUSINESS,
    CLI_MODES,
    CRM_TYPES,
    FORWARDING_TYPES,
    KINDS,
    SPEC_FIELDS,
    allowed,
    crm_host,
    fields_of,
    sip_uri,
)
from vpbx.pbx.forwarding_schemas import (
    CliModeOut,
    ForwardingOut,
    ForwardingSpec,
    ForwardingTypeOut,
)
from vpbx.pbx.repository import PbxRepository
from vpbx.tenancy.principal import Principal

# A bulk read names its numbers in one IN list; this keeps it well inside every
# database's limit on bound parameters.
MAX_BULK_READ = 1000


@dataclass(frozen=True)
class Resolved:
    """A checked spec in the columns of `NumberForwarding` (references are the tenant's)."""

    type: str
    type_default: str | None = None
    extension_id: int | None = None
    group_id: int | None = None
    scenario_id: int | None = None
    call_queue_id: int | None = None
    destination: str | None = None
    host: str | None = None
    cli_mode: str | None = None
    cli_mode_default: str | None = None

    @property
    def ringing(self) -> str | None:
        """The type whose target fields are used: the CRM's default, or the type."""
        return self.type_default if self.type in CRM_TYPES else self.type


class ForwardingService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.repo = ForwardingRepository(session)
        self.pbx = PbxRepository(session)

    # --- the tables as data (the Plusofon follow-types and cli-types) ----------------

    @staticmethod
    def types() -> list[ForwardingTypeOut]:
        return [
            ForwardingTypeOut(type=k.type, title=k.title, owner_types=list(k.owner_types))
            for k in FORWARDING_TYPES
        ]

    @staticmethod
    def cli_modes() -> list[CliModeOut]:
        return [CliModeOut(mode=mode, title=title) for mode, title in CLI_MODES]

    # --- reads ---------------------------------------------------------------------

    def get(self, principal: Principal, number_text: str) -> ForwardingOut:
        tenant_id = principal.require_tenant()
        (number,) = self._numbers(tenant_id, [number_text], in_body=False)
        row = self.repo.forwardings(tenant_id, [number.id]).get(number.id)
        return self._view(tenant_id, [(number, row)])[0]

    def get_many(self, principal: Principal, numbers: Sequence[str]) -> dict[str, ForwardingOut]:
        """The forwarding of each of these numbers, by E.164, in a few queries whatever
        their count (faces that list a page of numbers). A number that is not one of the
        tenant's active numbers is absent."""
        tenant_id = principal.require_tenant()
        if len(numbers) > MAX_BULK_READ:
            raise Invalid(f"read at most {MAX_BULK_READ} numbers at once", field="numbers")
        found = self.repo.active_numbers(tenant_id, {_e164(n, "numbers") for n in numbers})
        rows = self.repo.forwardings(tenant_id, [n.id for n in found.values()])
        views = self._view(tenant_id, [(n, rows.get(n.id)) for n in found.values()])
        return {view.number: view for view in views}

    # --- changes -------------------------------------------------------------------

    def set(self, principal: Principal, number_text: str, spec: ForwardingSpec) -> ForwardingOut:
        """Replace the forwarding of one number (named in the path: unknown is 404)."""
        return self._apply(principal, [number_text], spec, in_body=False)[0]

    def clear(self, principal: Principal, number_text: str) -> ForwardingOut:
        return self.set(principal, number_text, ForwardingSpec(type="empty"))

    def set_many(
        self, principal: Principal, numbers: Sequence[str], spec: ForwardingSpec
    ) -> list[ForwardingOut]:
        """Apply one forwarding to several numbers, all or nothing. The numbers come in
        a body, so one that is not the tenant's is 422 `number_not_found`."""
        return self._apply(principal, numbers, spec, in_body=True)

    def _apply(
        self,
        principal: Principal,
        numbers: Sequence[str],
        spec: ForwardingSpec,
        *,
        in_body: bool,
    ) -> list[ForwardingOut]:
        tenant_id = principal.require_tenant()
        owned = self._numbers(tenant_id, numbers, in_body=in_body)
        resolved = self._resolve(tenant_id, spec)
        for number in owned:
            _check_number(number, resolved)
        existing = self.repo.forwardings(tenant_id, [n.id for n in owned])
        before = self._view(tenant_id, [(n, existing.get(n.id)) for n in owned])
        rows = [self._write(tenant_id, n, existing.get(n.id), resolved) for n in owned]
        after = self._view(tenant_id, list(zip(owned, rows, strict=True)))
        action = "forwarding.clear" if resolved.type == "empty" else "forwarding.set"
        for old, new in zip(before, after, strict=True):
            record_change(
                self.session, principal, action, "number", new.number, _audit(old), _audit(new)
            )
        return after

    def _write(
        self, tenant_id: int, number: Number, row: NumberForwarding | None, spec: Resolved
    ) -> NumberForwarding:
        row = row or NumberForwarding(number_id=number.id, tenant_id=tenant_id)
        row.type, row.type_default = spec.type, spec.type_default
        row.extension_id, row.group_id = spec.extension_id, spec.group_id
        row.scenario_id, row.call_queue_id = spec.scenario_id, spec.call_queue_id
        row.destination, row.host = spec.destination, spec.host
        # The column is NOT NULL; an empty forwarding keeps the default, which nothing reads.
        row.cli_mode = spec.cli_mode or "Y"
        row.cli_mode_default = spec.cli_mode_default
        row.updated_at = utcnow()  # a PUT is a change even when it repeats the same spec
        self.repo.save_forwarding(row)
        return row

    # --- rules ---------------------------------------------------------------------

    def _numbers(self, tenant_id: int, texts: Sequence[str], *, in_body: bool) -> list[Number]:
        """The tenant's active numbers, in the order given; one that is not is refused."""
        field = "numbers" if in_body else "number"
        if not texts or len(texts) > MAX_NUMBERS_PER_REQUEST:
            raise Invalid(f"give 1 to {MAX_NUMBERS_PER_REQUEST} numbers", field=field)
        wanted: list[str] = []
        for text in texts:
            e164 = _e164(text, field)
            if e164 in wanted:
                raise Invalid(f"{e164} is listed twice", field=field)
            wanted.append(e164)
        # Locked: a concurrent PUT of the same number waits, then sees this one's row.
        found = self.repo.active_numbers(tenant_id, wanted, for_update=True)
        missing = [e164 for e164 in wanted if e164 not in found]
        if missing and in_body:
            raise Invalid(
                f"not numbers of this tenant: {', '.join(missing)}",
                code="number_not_found",
                field=field,
                numbers=missing,
            )
        if missing:
            raise NotFound(f"number {missing[0]} not found", code="number_not_found")
        return [found[e164] for e164 in wanted]

    def _resolve(self, tenant_id: int, spec: ForwardingSpec) -> Resolved:
        _check_fields(spec)
        crm = spec.type in CRM_TYPES
        return Resolved(
            type=spec.type,
            type_default=(spec.type_default or "empty") if crm else None,
            extension_id=self._extension(tenant_id, spec.extension_id),
            group_id=self._group(tenant_id, spec.group_id),
            scenario_id=self._scenario(tenant_id, spec.scenario_id),
            call_queue_id=self._queue(tenant_id, spec.call_queue_id),
            destination=_destination(spec),
            host=None if spec.host is None else crm_host(spec.host),
            cli_mode=spec.cli_mode,
            cli_mode_default=spec.cli_mode_default,
        )

    def _extension(self, tenant_id: int, extension_id: int | None) -> int | None:
        if extension_id is not None and self.pbx.extension(tenant_id, extension_id) is None:
            raise _missing("extension", extension_id, "extension_id")
        return extension_id

    def _group(self, tenant_id: int, group_id: int | None) -> int | None:
        if group_id is not None and self.pbx.group(tenant_id, group_id) is None:
            raise _missing("group", group_id, "group_id")
        return group_id

    def _scenario(self, tenant_id: int, scenario_id: int | None) -> int | None:
        if scenario_id is not None and self.repo.scenario(tenant_id, scenario_id) is None:
            raise _missing("scenario", scenario_id, "scenario_id")
        return scenario_id

    def _queue(self, tenant_id: int, queue_id: int | None) -> int | None:
        if queue_id is not None and self.repo.queue(tenant_id, queue_id) is None:
            raise _missing("call_queue", queue_id, "call_queue_id")
        return queue_id

    # --- presentation --------------------------------------------------------------

    def _view(
        self, tenant_id: int, pairs: Sequence[tuple[Number, NumberForwarding | None]]
    ) -> list[ForwardingOut]:
        rows = [row for _, row in pairs if row is not None]
        extensions = self.repo.extension_numbers(tenant_id, _ids(rows, "extension_id"))
        groups = self.repo.group_labels(tenant_id, _ids(rows, "group_id"))
        scenarios = self.repo.scenario_names(tenant_id, _ids(rows, "scenario_id"))
        queues = self.repo.queue_names(tenant_id, _ids(rows, "call_queue_id"))
        views = []
        for number, row in pairs:
            fields: dict[str, Any] = {"type": "empty"} if row is None else _columns(row)
            if row is not None:
                group = groups.get(row.group_id or 0)
                fields["extension_number"] = extensions.get(row.extension_id or 0)
                fields["group_number"], fields["group_name"] = group or (None, None)
                fields["scenario_name"] = scenarios.get(row.scenario_id or 0)
                fields["call_queue_name"] = queues.get(row.call_queue_id or 0)
            owner = number.owner_type or BUSINESS
            views.append(ForwardingOut(number=number.e164, owner_type=owner, **fields))
        return views


class TargetUsage:
    """Refuses to delete what a forwarding or a scenario still routes calls to: the
    database would otherwise drop the forwarding (ON DELETE CASCADE) or leave a menu key
    pointing nowhere, and calls would silently stop arriving."""

    def __init__(self, session: Session) -> None:
        self.repo = ForwardingRepository(session)

    def extension(self, extension: Extension) -> None:
        tenant_id = extension.tenant_id
        _refuse(
            f"extension {extension.number}",
            self.repo.numbers_forwarding_to(tenant_id, extension_id=extension.id),
            self.repo.scenarios_targeting(tenant_id, "extension", extension.number),
        )

    def group(self, group: RingGroup) -> None:
        tenant_id = group.tenant_id
        _refuse(
            f"group {group.number}",
            self.repo.numbers_forwarding_to(tenant_id, group_id=group.id),
            self.repo.scenarios_targeting(tenant_id, "group", group.number),
        )

    def scenario(self, scenario: Scenario) -> None:
        tenant_id = scenario.tenant_id
        _refuse(
            f"scenario {scenario.name!r}",
            self.repo.numbers_forwarding_to(tenant_id, scenario_id=scenario.id),
            self.repo.scenarios_targeting(
                tenant_id, "scenario", str(scenario.id), besides=scenario.id
            ),
        )

    def queue(self, queue: CallQueue) -> None:
        tenant_id = queue.tenant_id
        _refuse(
            f"call queue {queue.name!r}",
            self.repo.numbers_forwarding_to(tenant_id, call_queue_id=queue.id),
            self.repo.scenarios_targeting(tenant_id, "call_queue", str(queue.id)),
        )


def _refuse(what: str, numbers: list[str], scenarios: list[str]) -> None:
    if not numbers and not scenarios:
        return
    users = []
    if numbers:
        users.append(f"the forwarding of {', '.join(numbers)}")
    if scenarios:
        users.append(f"the scenarios {', '.join(repr(s) for s in scenarios)}")
    raise Conflict(
        f"{what} is in use by {' and '.join(users)}: point them elsewhere first",
        code="in_use",
        numbers=numbers,
        scenarios=scenarios,
    )


def _check_fields(spec: ForwardingSpec) -> None:
    """Exactly the fields of the type: any other is named, and so is a missing one."""
    given = {name for name in SPEC_FIELDS if getattr(spec, name) is not None}
    permitted, required = fields_of(spec.type, spec.type_default or "empty")
    extra, missing = sorted(given - permitted), sorted(required - given)
    if extra:
        raise Invalid(
            f"{extra[0]} does not belong to a forwarding of type {spec.type}",
            code="field_not_allowed",
            field=extra[0],
        )
    if missing:
        name = missing[0]
        for_default = spec.type in CRM_TYPES and name not in {"host", "cli_mode"}
        what = f"{spec.type} with type_default {spec.type_default}" if for_default else spec.type
        raise Invalid(
            f"a forwarding of type {what} needs {name}", code="field_required", field=name
        )


def _check_number(number: Number, spec: Resolved) -> None:
    """Owner-type rules (business-only types) and no forwarding to the number itself."""
    owner = number.owner_type or BUSINESS
    for field, type_ in (("type", spec.type), ("type_default", spec.type_default)):
        if type_ is not None and not allowed(type_, owner):
            raise Invalid(
                f"{number.e164} is a {owner} number: it cannot forward to "
                f"{KINDS[type_].title.lower()} ({type_} is for "
                f"{' and '.join(KINDS[type_].owner_types)} numbers)",
                code="forwarding_not_allowed",
                field=field,
                number=number.e164,
            )
    if spec.ringing == "number" and spec.destination == number.e164:
        raise Invalid(
            f"{number.e164} cannot forward to itself",
            code="forwarding_loop",
            field="destination_number",
        )


def _destination(spec: ForwardingSpec) -> str | None:
    if spec.destination_number is not None:
        return _e164(spec.destination_number, "destination_number")
    if spec.destination_uri is not None:
        return sip_uri(spec.destination_uri, "destination_uri")
    return None


def _e164(text: str, field: str) -> str:
    try:
        return canonical_e164(text)
    except Invalid as exc:
        raise Invalid(exc.message, field=field) from None


def _missing(thing: str, object_id: int, field: str) -> Invalid:
    name = thing.replace("_", " ")
    return Invalid(f"{name} {object_id} not found", code=f"{thing}_not_found", field=field)


def _ids(rows: Sequence[NumberForwarding], column: str) -> list[int]:
    return [value for row in rows if (value := getattr(row, column)) is not None]


def _columns(row: NumberForwarding) -> dict[str, Any]:
    """The stored columns in the body's terms (the destination by what it holds)."""
    ringing = row.type_default if row.type in CRM_TYPES else row.type
    return {
        "type": row.type,
        "extension_id": row.extension_id,
        "group_id": row.group_id,
        "scenario_id": row.scenario_id,
        "call_queue_id": row.call_queue_id,
        "destination_number": row.destination if ringing == "number" else None,
        "destination_uri": row.destination if ringing == "sip_uri" else None,
        "host": row.host,
        "type_default": row.type_default,
        "cli_mode": None if row.type == "empty" else row.cli_mode,
        "cli_mode_default": row.cli_mode_default,
        "updated_at": row.updated_at,
    }


def _audit(view: ForwardingOut) -> dict[str, Any]:
    return view.model_dump(mode="json", exclude_none=True, exclude={"number", "updated_at"})
