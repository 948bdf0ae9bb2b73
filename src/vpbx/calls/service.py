"""Call records: intake from the SIP server, reading them back. Never commits.

Intake is idempotent on the SIP server's call id: posting a call again with the same
content answers with the stored record, with other content it is a conflict. Nothing
here writes an audit event: a call record is itself the immutable log of a call, it is
never edited, and it arrives at call rate, so an event per record would double the
writes and say nothing the record does not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from vpbx.calls import rules
from vpbx.calls.repository import CallRepository, CallRow
from vpbx.calls.schemas import (
    CallBatchOut,
    CallFilter,
    CallOffsetPage,
    CallPage,
    CallRecordIn,
    CallRecordOut,
)
from vpbx.config import Settings
from vpbx.errors import Conflict, DomainError, Invalid, NotFound
from vpbx.models import CallRecord
from vpbx.tenancy.principal import Principal

# Concurrent posts of the same calls: after losing a race the batch is checked again
# against what the winner stored; a third loss in a row means something else is wrong.
_ATTEMPTS = 3
MAX_OFFSET = 10**7  # deeper than this, keyset paging is the way


@dataclass(frozen=True)
class Draft:
    """A posted call, checked and normalised, before its references are resolved."""

    call_id: str
    direction: str
    caller: str
    callee: str
    hotline: str | None
    extension: str | None
    group: str | None
    times: rules.Times
    disposition: str
    hangup_cause: str
    sip_status: int | None
    recording_url: str | None

    def content(self) -> tuple[object, ...]:
        """What makes two posts of one call id the same call."""
        t = self.times
        return (
            self.direction,
            self.caller,
            self.callee,
            self.hotline,
            self.extension,
            self.group,
            t.started_at,
            t.answered_at,
            t.ended_at,
            self.disposition,
            self.hangup_cause,
            self.sip_status,
            self.recording_url,
        )


def _stored_content(row: CallRecord) -> tuple[object, ...]:
    return (
        row.direction,
        row.caller,
        row.callee,
        row.hotline,
        row.extension_number,
        row.group_number,
        row.started_at,
        row.answered_at,
        row.ended_at,
        row.disposition,
        row.hangup_cause,
        row.sip_status,
        row.recording_url,
    )


@contextmanager
def _item(index: int | None) -> Iterator[None]:
    """Name the batch item an error is about: `calls.3.extension`, like request errors."""
    try:
        yield
    except DomainError as exc:
        field = exc.details.get("field")
        if index is None or field is None:
            raise
        details = {**exc.details, "field": f"calls.{index}.{field}"}
        raise type(exc)(f"calls[{index}]: {exc.message}", code=exc.code, **details) from None


class CallRecordService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = CallRepository(session)

    # --- intake -------------------------------------------------------------------------------

    def record(self, principal: Principal, data: CallRecordIn) -> tuple[CallRecordOut, bool]:
        """Store one call; (the record, True) when it is new, False when it was stored."""
        result = self._record_all(principal.require_tenant(), [data], batch=False)
        return result.items[0], result.created == 1

    def record_batch(self, principal: Principal, calls: Sequence[CallRecordIn]) -> CallBatchOut:
        """Store every call or none: one bad call refuses the batch."""
        return self._record_all(principal.require_tenant(), calls, batch=True)

    def intake(
        self, tenant_id: int, calls: Sequence[CallRecordIn], *, batch: bool = True
    ) -> tuple[int, int]:
        """Store every call or none, as `record_batch`, for a writer that does not read
        the records back (the SIP server's outcomes): (how many new, how many known).
        `batch` False: errors name the call's fields without an index."""
        drafts, _, rows = self._store_all(tenant_id, calls, batch=batch, read_back=False)
        return len(rows), len(drafts) - len(rows)

    def _record_all(
        self, tenant_id: int, calls: Sequence[CallRecordIn], *, batch: bool
    ) -> CallBatchOut:
        drafts, stored, rows = self._store_all(tenant_id, calls, batch=batch)
        by_call_id = {**stored, **{row.call_id: row for row in rows}}
        views = self.repo.with_users(tenant_id, [row.id for row in by_call_id.values()])
        return CallBatchOut(
            created=len(rows),
            existing=len(drafts) - len(rows),
            items=[_out(views[by_call_id[d.call_id].id]) for d in drafts],
        )

    def _store_all(
        self,
        tenant_id: int,
        calls: Sequence[CallRecordIn],
        *,
        batch: bool,
        read_back: bool = True,
    ) -> tuple[list[Draft], dict[str, CallRecord], list[CallRecord]]:
        """Check and insert the calls not stored yet: (the drafts, the rows already
        stored by call id, the rows inserted). Without `read_back` the rows go in as one
        plain multi-row INSERT (the ORM's unit of work costs more than the insert) and
        the returned ones carry no id."""
        now = datetime.now(UTC)
        drafts = []
        for index, data in enumerate(calls):
            with _item(index if batch else None):
                drafts.append(self._draft(data, now))
        for _ in range(_ATTEMPTS):
            stored = self.repo.by_call_ids(tenant_id, {d.call_id for d in drafts})
            new = self._new_drafts(drafts, stored, batch)
            rows = self._rows(tenant_id, new, batch)
            if self.repo.insert(rows) if read_back else self.repo.insert_values(rows):
                break
        else:
            raise Conflict(
                "these calls are being recorded by another request right now; retry",
                code="call_busy",
            )
        groups = Counter(row.group_number for row in rows if row.group_number)
        self.repo.count_group_calls(tenant_id, groups)
        return drafts, stored, rows

    def _draft(self, data: CallRecordIn, now: datetime) -> Draft:
        region = self.settings.default_country
        return Draft(
            call_id=data.call_id,
            direction=data.direction,
            caller=rules.normalise_party(data.caller, region, field="caller", anonymous_ok=True),
            callee=rules.normalise_party(data.callee, region, field="callee", anonymous_ok=False),
            hotline=None if data.hotline is None else rules.hotline_e164(data.hotline, region),
            extension=data.extension,
            group=data.group,
            times=rules.check_times(data, now),
            disposition=data.disposition,
            hangup_cause=data.hangup_cause.strip(),
            sip_status=data.sip_status,
            recording_url=rules.check_recording_url(data.recording_url),
        )

    def _new_drafts(
        self, drafts: Sequence[Draft], stored: dict[str, CallRecord], batch: bool
    ) -> list[tuple[int, Draft]]:
        """The drafts to insert, each call id once; a call id already stored (or posted
        twice in the batch) must carry the same content, else it is a conflict."""
        first: dict[str, Draft] = {}
        new: list[tuple[int, Draft]] = []
        for index, draft in enumerate(drafts):
            row = stored.get(draft.call_id)
            seen = first.get(draft.call_id)
            known = _stored_content(row) if row is not None else None
            if known is None and seen is not None:
                known = seen.content()
            if known is not None and known != draft.content():
                with _item(index if batch else None):
                    raise Conflict(
                        f"call {draft.call_id!r} is already recorded with other details",
                        code="call_exists",
                        field="call_id",
                    )
            if row is None and seen is None:
                first[draft.call_id] = draft
                new.append((index, draft))
        return new

    def _rows(self, tenant_id: int, new: list[tuple[int, Draft]], batch: bool) -> list[CallRecord]:
        """The new calls as rows, their references checked against the tenant's objects."""
        drafts = [d for _, d in new]
        hotlines = self.repo.owned_hotlines(tenant_id, {d.hotline for d in drafts if d.hotline})
        extensions = self.repo.extensions_by_number(
            tenant_id, {d.extension for d in drafts if d.extension}
        )
        groups = self.repo.group_numbers(tenant_id, {d.group for d in drafts if d.group})
        rows = []
        for index, draft in new:
            with _item(index if batch else None):
                _check_references(draft, hotlines, set(extensions), groups)
            extension_id = extensions[draft.extension][0] if draft.extension else None
            rows.append(_row(tenant_id, draft, extension_id))
        return rows

    # --- reads --------------------------------------------------------------------------------

    def get(self, principal: Principal, record_id: int) -> CallRecordOut:
        row = self.repo.get(principal.require_tenant(), record_id)
        if row is None:
            raise NotFound(f"call {record_id} not found", code="call_not_found")
        return _out(row)

    def list_calls(
        self,
        principal: Principal,
        filters: CallFilter,
        *,
        cursor: str | None = None,
        before: str | None = None,
        limit: int,
    ) -> CallPage:
        """Newest first, a page of `limit` calls: the first page, the one after `cursor`
        (a next_cursor) or the one before `before` (a prev_cursor), with the cursors of
        the pages either side of it (None: nothing that way)."""
        if cursor is not None and before is not None:
            raise Invalid(
                "give cursor (a next_cursor) or before (a prev_cursor), not both",
                code="validation_failed",
                field="before",
            )
        tenant_id = principal.require_tenant()
        if before is not None:
            bound = rules.decode_cursor(before, "before")
            normalised = self.normalise(filters)
            newer = self.repo.search_newer(tenant_id, normalised, before=bound, limit=limit + 1)
            # Read oldest first, so the page is the newest-first tail of what was read;
            # anything past it means there are newer calls still. The call at the bound
            # itself follows the page.
            rows = newer[:limit][::-1]
            return _call_page(rows, has_prev=len(newer) > limit, has_next=True)
        after = None if cursor is None else rules.decode_cursor(cursor)
        older = self.repo.search(tenant_id, self.normalise(filters), after=after, limit=limit + 1)
        # A page after a cursor has the calls that led to the cursor before it.
        return _call_page(older[:limit], has_prev=after is not None, has_next=len(older) > limit)

    def list_page(
        self, principal: Principal, filters: CallFilter, *, page: int, size: int
    ) -> CallOffsetPage:
        """Page `page` (from 1) of `size` calls, newest first, and how many match in all."""
        if page < 1 or size < 1 or size > self.settings.page_size_max:
            raise Invalid(
                f"page must be 1 or more and size between 1 and {self.settings.page_size_max}",
                field="page" if page < 1 else "size",
            )
        if (page - 1) * size > MAX_OFFSET:
            raise Invalid("page is too far: narrow the dates instead", field="page")
        tenant_id = principal.require_tenant()
        filters = self.normalise(filters)
        rows = self.repo.page(tenant_id, filters, offset=(page - 1) * size, limit=size)
        total = self.repo.count(tenant_id, filters)
        return CallOffsetPage(items=[_out(r) for r in rows], page=page, size=size, total=total)

    def normalise(self, filters: CallFilter) -> CallFilter:
        """Numbers in the stored form (national forms accepted) and times in UTC."""
        region = self.settings.default_country
        date_from = None if filters.date_from is None else rules.utc(filters.date_from, "date_from")
        date_to = None if filters.date_to is None else rules.utc(filters.date_to, "date_to")
        if date_from is not None and date_to is not None and date_from > date_to:
            raise Invalid("date_from is after date_to", field="date_from")
        return filters.model_copy(
            update={
                "date_from": date_from,
                "date_to": date_to,
                "hotlines": [rules.hotline_e164(h, region) for h in filters.hotlines],
                "numbers": [rules.search_key(n, region) for n in filters.numbers],
                "extensions": [e.strip() for e in filters.extensions],
            }
        )

    # --- what routing reads -------------------------------------------------------------------

    def last_call_ended(
        self, tenant_id: int, extension_numbers: Sequence[str]
    ) -> dict[str, datetime]:
        """When each extension's last answered call ended (for the longest-idle strategy);
        an extension that never answered a call is absent, i.e. idle the longest."""
        return self.repo.last_answered_end(tenant_id, set(extension_numbers))


def _check_references(
    draft: Draft, hotlines: set[str], extensions: set[str], groups: set[str]
) -> None:
    if draft.hotline is not None and draft.hotline not in hotlines:
        raise Invalid(
            f"{draft.hotline} is not a number of this tenant",
            code="hotline_not_owned",
            field="hotline",
        )
    if draft.extension is not None and draft.extension not in extensions:
        raise Invalid(
            f"extension {draft.extension} not found",
            code="extension_not_found",
            field="extension",
        )
    if draft.group is not None and draft.group not in groups:
        raise Invalid(f"group {draft.group} not found", code="group_not_found", field="group")


def _row(tenant_id: int, draft: Draft, extension_id: int | None) -> CallRecord:
    t = draft.times
    return CallRecord(
        tenant_id=tenant_id,
        call_id=draft.call_id,
        direction=draft.direction,
        caller=draft.caller,
        callee=draft.callee,
        hotline=draft.hotline,
        extension_id=extension_id,
        extension_number=draft.extension,
        group_number=draft.group,
        started_at=t.started_at,
        answered_at=t.answered_at,
        ended_at=t.ended_at,
        duration_s=t.duration_s,
        billsec=t.billsec,
        disposition=draft.disposition,
        hangup_cause=draft.hangup_cause,
        sip_status=draft.sip_status,
        recording_url=draft.recording_url,
        created_at=datetime.now(UTC),
    )


def _call_page(rows: Sequence[CallRow], *, has_prev: bool, has_next: bool) -> CallPage:
    """A page in display order and its cursors: the first call bounds the page before
    it, the last the page after it. An empty page has neither (nothing to start from)."""
    items = [_out(row) for row in rows]
    if not items:
        return CallPage(items=[])
    first, last = items[0], items[-1]
    return CallPage(
        items=items,
        next_cursor=rules.encode_cursor(last.started_at, last.id) if has_next else None,
        prev_cursor=rules.encode_cursor(first.started_at, first.id) if has_prev else None,
    )


def _out(row: CallRow) -> CallRecordOut:
    record, user_id = row
    return CallRecordOut.model_validate(
        {
            "id": record.id,
            "call_id": record.call_id,
            "direction": record.direction,
            "caller": record.caller,
            "callee": record.callee,
            "hotline": record.hotline,
            "extension_id": record.extension_id,
            "extension": record.extension_number,
            "group": record.group_number,
            "user_id": user_id,
            "started_at": record.started_at,
            "answered_at": record.answered_at,
            "ended_at": record.ended_at,
            "duration_s": record.duration_s,
            "billsec": record.billsec,
            "disposition": record.disposition,
            "hangup_cause": record.hangup_cause,
            "sip_status": record.sip_status,
            "recording_url": record.recording_url,
            "created_at": record.created_at,
        }
    )
