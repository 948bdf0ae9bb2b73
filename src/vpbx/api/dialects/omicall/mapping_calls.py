"""OMICall call history ⇄ vpbx call records: pure functions, no I/O.

OMICall's call transaction has many fields vpbx has no counterpart for (tags, notes,
customers, auto-call, voicemail, prices): they carry their type's empty value. The
transaction id is the SIP server's call id (what `transactionIds` filters on).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vpbx.api.dialects.omicall import wire
from vpbx.api.dialects.omicall.mapping import epoch_ms, epoch_ms_or_none, object_id, wire_number
from vpbx.calls.schemas import CallFilter, CallRecordOut, Direction, Disposition
from vpbx.pbx.schemas import UserOut

DIRECTIONS_IN: dict[str, Direction] = {"inbound": "in", "outbound": "out", "local": "internal"}
DIRECTIONS_OUT = {core: omi for omi, core in DIRECTIONS_IN.items()}
# OMICall documents "answered" and "cancelled"; vpbx's other outcomes keep their names.
DISPOSITIONS_OUT: dict[Disposition, str] = {
    "answered": "answered",
    "no_answer": "cancelled",
    "busy": "busy",
    "failed": "failed",
    "rejected": "rejected",
}


def moment(ms: int) -> datetime:
    """Epoch milliseconds (bounded by the wire model) as an aware UTC time."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)


def _party(number: str) -> str:
    return wire_number(number) if number.startswith("+") else number


def _outside(call: CallRecordOut) -> str:
    """The number on the other end: the caller of an inbound call, else the callee."""
    return _party(call.caller if call.direction == "in" else call.callee)


def _agent(call: CallRecordOut, user: UserOut | None) -> wire.CallAgent | None:
    if call.extension is None:
        return None
    return wire.CallAgent(
        id=object_id(user.id) if user else None,
        name=user.full_name if user else call.extension,
        contact_id=None,
        avatar=None,
        gender=None,
        uuid=object_id(user.id) if user else None,
        type="extension",
    )


def call_transaction(call: CallRecordOut, user: UserOut | None) -> wire.CallTransaction:
    created = epoch_ms(call.created_at)
    return wire.CallTransaction(
        transaction_id=call.call_id,
        direction=DIRECTIONS_OUT[call.direction],
        source_number=_party(call.caller),
        destination_number=_party(call.callee),
        disposition=DISPOSITIONS_OUT[call.disposition],
        bill_sec=call.billsec,
        record_seconds=call.billsec if call.recording_url else 0,
        time_start_to_answer=int(call.answered_at.timestamp()) if call.answered_at else None,
        recording_file=call.recording_url or "",
        sip_user=call.extension or "",
        duration=call.duration_s,
        provider="",
        note="",
        tag=[],
        call_out_price=0,  # vpbx does not rate calls
        created_date=created,
        last_updated_date=created,  # a call record is never edited
        is_voicemail=False,
        recording_file_voicemail="",
        user=[],  # OMICall's customer contacts: vpbx keeps none
        create_by=_agent(call, user),
        internal_destination=(
            {"sip_user": call.callee, "type": "extension"} if call.direction == "internal" else None
        ),
    )


def call_transaction_v2(
    call: CallRecordOut, user: UserOut | None, tenant_id: int
) -> wire.CallTransactionV2:
    answered = call.answered_at
    return wire.CallTransactionV2(
        **call_transaction(call, user).model_dump(),
        tenant_id=object_id(tenant_id),
        recording_file_url=call.recording_url or "",
        recording_data=None,
        is_auto_call=False,
        ivr=None,
        customer=None,
        state=DISPOSITIONS_OUT[call.disposition],
        call_uuid=call.call_id,
        from_number=_party(call.caller),
        to_number=_party(call.callee),
        hotline=wire_number(call.hotline) if call.hotline else "",
        is_have_forward_out=False,
        bill_sec_forward_out=0,
        invite_failure_status=call.sip_status if call.disposition != "answered" else None,
        answer_sec=int((answered - call.started_at).total_seconds()) if answered else 0,
        autocall_uuid=None,
        autocall_id=None,
        sip_number=wire_number(call.hotline) if call.hotline else "",
        phone_number=_outside(call),
        time_start_call=epoch_ms(call.started_at),
        time_answer_start=epoch_ms_or_none(answered),
        time_end_call=epoch_ms(call.ended_at),
        time_ringing_start=epoch_ms(call.started_at),
    )


def call_filter(
    *,
    from_ms: int | None,
    to_ms: int | None,
    directions: list[str],
    extensions: list[str],
    hotlines: list[str],
    numbers: list[str],
    call_ids: list[str],
    extension_ids: list[int],
) -> CallFilter:
    """OMICall's filters as the core's. `toDate` is taken as inclusive (the last
    millisecond it names), the core's `date_to` as exclusive: one millisecond apart."""
    return CallFilter(
        date_from=None if from_ms is None else moment(from_ms),
        date_to=None if to_ms is None else moment(to_ms) + timedelta(milliseconds=1),
        directions=sorted({DIRECTIONS_IN[d] for d in directions}),
        extensions=extensions,
        hotlines=hotlines,
        numbers=numbers,
        call_ids=call_ids,
        extension_ids=extension_ids,
    )
