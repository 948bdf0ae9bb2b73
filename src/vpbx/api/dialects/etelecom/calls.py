"""ListCallLogs: the tenant's call history with every filter of eTelecom's page.

Newest first, 100 a page by default, as eTelecom documents. Paging follows paging.py's
conventions: `next` and `prev` are opaque and carry their own direction, so either one
sent back in `after` (as eTelecom's page says) or in `before` gets that page — `next`
the older calls after the page, `prev` the newer ones before it. Each is empty when
there is nothing that way: the first page has no `prev`, and neither does a page
reached by walking back to the start. The position inside is the call records
service's keyset cursor (start time and id), so equal start times neither repeat nor
vanish between pages. A department (department_id) is read as a ring group of the
tenant (inferred).
"""

from __future__ import annotations

from vpbx.api.dialects.etelecom import mapping, wire
from vpbx.api.dialects.etelecom.context import Context, core, fields_named
from vpbx.api.dialects.etelecom.paging import DEFAULT_LIMIT
from vpbx.calls.schemas import CallFilter
from vpbx.calls.service import CallRecordService
from vpbx.errors import Invalid, NotFound
from vpbx.numbers.lines import LineService
from vpbx.pbx.groups import GroupService

NEWEST_FIRST = ("", "-started_at", "-created_at", "-id")
# A cursor is a direction letter and the service's position token (base64url, which
# starts with an upper-case letter, so the two never run together).
_FORWARD, _BACKWARD = "n", "p"


def _cursor(direction: str, token: str | None) -> str:
    return "" if token is None else direction + token


def _not_ours(cursor: str, field: str) -> Invalid:
    return Invalid(
        f"{field}: {cursor[:80]!r} is not a cursor of this server; send back a `next` or "
        "`prev` of an earlier response, or leave it empty",
        field=field,
        code="invalid_cursor",
    )


def _position(cursor: str, field: str) -> tuple[str, str]:
    """(direction, the service's token) of a cursor; the service checks the token."""
    direction, token = cursor[:1], cursor[1:]
    if direction not in (_FORWARD, _BACKWARD) or not token:
        raise _not_ours(cursor, field)
    return direction, token


def _walk(paging: wire.PagingIn) -> tuple[str, str | None, str | None]:
    """(the paging field sent, the service's `cursor`, its `before`) for a request."""
    # Checked in the document's field order, so the first bad field is the one named.
    after = _position(paging.after, "paging.after") if paging.after else None
    before = _position(paging.before, "paging.before") if paging.before else None
    if after is not None and before is not None:
        raise Invalid(
            "give paging.after or paging.before, not both", field="paging.before", code="invalid"
        )
    if paging.sort not in NEWEST_FIRST:
        raise Invalid(
            "call history is listed newest first: paging.sort must be empty or -started_at",
            field="paging.sort",
        )
    field = "paging.before" if before is not None else "paging.after"
    direction, token = after or before or (_FORWARD, None)
    return (field, token, None) if direction == _FORWARD else (field, None, token)


def _department(ctx: Context, department_id: int | None) -> list[str]:
    if department_id is None:
        return []
    try:
        group = GroupService(ctx.session).get(ctx.principal, department_id)
    except NotFound:
        raise Invalid(
            f"department {department_id} not found",
            code="group_not_found",
            field="filter.department_id",
        ) from None
    return [group.number]


def list_call_logs(ctx: Context, body: wire.ListCallLogsRequest) -> wire.CallLogList:
    field, cursor, before = _walk(body.paging)
    wanted = body.filter
    lines = LineService(ctx.session, ctx.settings)
    hotlines = [
        lines.line(ctx.principal, hotline_id, field="filter.hotline_ids").e164
        for hotline_id in dict.fromkeys(wanted.hotline_ids)
    ]
    fields = mapping.call_filter(
        wanted, hotlines=hotlines, groups=_department(ctx, wanted.department_id)
    )
    filters = core(CallFilter, **fields)
    limit = min(body.paging.limit or DEFAULT_LIMIT, ctx.settings.page_size_max)
    names = {"date_from": "filter.date_from", "date_to": "filter.date_to"}
    try:
        with fields_named(names):
            page = CallRecordService(ctx.session, ctx.settings).list_calls(
                ctx.principal, filters, cursor=cursor, before=before, limit=limit
            )
    except Invalid as exc:
        if exc.details.get("field") in ("cursor", "before"):  # the token inside is not ours
            raise _not_ours(body.paging.before or body.paging.after, field) from None
        raise
    paging = wire.PagingOut(
        after=body.paging.after,
        before=body.paging.before,
        limit=limit,
        next=_cursor(_FORWARD, page.next_cursor),
        prev=_cursor(_BACKWARD, page.prev_cursor),
        sort=body.paging.sort,
    )
    return wire.CallLogList(call_logs=[mapping.call_log(c) for c in page.items], paging=paging)
