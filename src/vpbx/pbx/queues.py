"""Call queues: callers wait while the members (extensions) are offered calls by a
strategy. Never commits. Deleting a member extension only takes it out of the queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from vpbx.audit.service import record_change
from vpbx.errors import Conflict, Invalid, NotFound
from vpbx.models import CallQueue
from vpbx.pbx.forwarding import TargetUsage
from vpbx.pbx.forwarding_repository import ForwardingRepository
from vpbx.pbx.forwarding_schemas import QueueCreate, QueueMemberOut, QueueOut, QueueUpdate
from vpbx.pbx.repository import PbxRepository
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import clean_name


class CallQueueService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.repo = ForwardingRepository(session)
        self.pbx = PbxRepository(session)

    # --- reads ---------------------------------------------------------------------

    def get(self, principal: Principal, queue_id: int) -> CallQueue:
        queue = self.repo.queue(principal.require_tenant(), queue_id)
        if queue is None:
            raise NotFound(f"call queue {queue_id} not found", code="call_queue_not_found")
        return queue

    def view(self, queues: Sequence[CallQueue]) -> list[QueueOut]:
        members = self.repo.queue_members([q.id for q in queues])
        return [
            QueueOut(
                id=q.id,
                name=q.name,
                strategy=q.strategy,
                max_wait_s=q.max_wait_s,
                members=[
                    QueueMemberOut(extension_id=m.extension_id, extension_number=m.number)
                    for m in members.get(q.id, [])
                ],
                created_at=q.created_at,
                updated_at=q.updated_at,
            )
            for q in queues
        ]

    def list_queues(
        self, principal: Principal, *, after_id: int | None, limit: int
    ) -> list[QueueOut]:
        rows = self.repo.queues(principal.require_tenant(), after_id=after_id, limit=limit)
        return self.view(rows)

    # --- changes -------------------------------------------------------------------

    def create(self, principal: Principal, data: QueueCreate) -> QueueOut:
        tenant_id = principal.require_tenant()
        name = clean_name(data.name)
        self._name_free(tenant_id, name)
        members = self._members(tenant_id, data.members)
        queue = CallQueue(
            tenant_id=tenant_id, name=name, strategy=data.strategy, max_wait_s=data.max_wait_s
        )
        if not self.repo.flush_unique(queue):
            raise _taken(name)
        self.repo.set_queue_members(queue.id, members)
        out = self.view([queue])[0]
        record_change(
            self.session, principal, "call_queue.create", "call_queue", queue.id, None, _fields(out)
        )
        return out

    def update(self, principal: Principal, queue_id: int, data: QueueUpdate) -> QueueOut:
        queue = self.get(principal, queue_id)
        before = _fields(self.view([queue])[0])
        changes = data.model_dump(exclude_unset=True)
        if changes.get("name") is not None:
            name = clean_name(changes["name"])
            if name != queue.name:
                self._name_free(queue.tenant_id, name)
            queue.name = name
        if changes.get("strategy") is not None:
            queue.strategy = changes["strategy"]
        if changes.get("max_wait_s") is not None:
            queue.max_wait_s = changes["max_wait_s"]
        if data.members is not None:
            self.repo.set_queue_members(queue.id, self._members(queue.tenant_id, data.members))
        if not self.repo.flush_unique():
            raise _taken(queue.name)
        out = self.view([queue])[0]
        record_change(
            self.session,
            principal,
            "call_queue.update",
            "call_queue",
            queue.id,
            before,
            _fields(out),
        )
        return out

    def delete(self, principal: Principal, queue_id: int) -> None:
        queue = self.get(principal, queue_id)
        TargetUsage(self.session).queue(queue)
        before = _fields(self.view([queue])[0])
        self.repo.remove(queue)
        record_change(
            self.session, principal, "call_queue.delete", "call_queue", queue_id, before, None
        )

    # --- rules ---------------------------------------------------------------------

    def _name_free(self, tenant_id: int, name: str) -> None:
        if self.repo.queue_by_name(tenant_id, name) is not None:
            raise _taken(name)

    def _members(self, tenant_id: int, extension_ids: Sequence[int]) -> list[int]:
        """This tenant's extensions, each once, in the order given."""
        seen: set[int] = set()
        for index, extension_id in enumerate(extension_ids):
            if extension_id in seen:
                raise Invalid(f"extension {extension_id} is listed twice", field=f"members.{index}")
            seen.add(extension_id)
            if self.pbx.extension(tenant_id, extension_id) is None:
                raise Invalid(
                    f"extension {extension_id} not found",
                    code="extension_not_found",
                    field=f"members.{index}",
                )
        return list(extension_ids)


def _taken(name: str) -> Conflict:
    return Conflict(f"a call queue named {name!r} exists", code="call_queue_exists", field="name")


def _fields(out: QueueOut) -> dict[str, Any]:
    return out.model_dump(mode="json", exclude={"id", "created_at", "updated_at"})
