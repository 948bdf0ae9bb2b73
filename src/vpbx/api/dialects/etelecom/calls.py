"""ListCallLogs: the tenant's call history with every filter of eTelecom's page.

Newest first, 100 a page by default, as eTelecom documents. The history pages forward
only: `next` (sent back as `after`) gets the next page; `prev` is always empty and a
`before` cursor is refused, since vpbx reads call records by a newest-first keyset.
A department (department_id) is read as a ring group of the tenant (inferred).
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


def _check_paging(paging: wire.PagingIn) -> None:
    if paging.before:
        raise Invalid(
            "call history pages forward only: send a response's `next` as paging.after",
            field="paging.before",
        )
    if paging.sort not in NEWEST_FIRST:
        raise Invalid(
            "call history is listed newest first: paging.sort must be empty or -started_at",
            field="paging.sort",
        )


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
    _check_paging(body.paging)
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
    names = {"cursor": "paging.after", "date_from": "filter.date_from", "date_to": "filter.date_to"}
    with fields_named(names):
        page = CallRecordService(ctx.session, ctx.settings).list_calls(
            ctx.principal, filters, cursor=body.paging.after or None, limit=limit
        )
    paging = wire.PagingOut(
        after=body.paging.after,
        before="",
        limit=limit,
        next=page.next_cursor or "",
        prev="",
        sort=body.paging.sort,
    )
    return wire.CallLogList(call_logs=[mapping.call_log(c) for c in page.items], paging=paging)
