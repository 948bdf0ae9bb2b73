"""vpbx's objects in eTelecom's words, and eTelecom's values in vpbx's. Pure functions.

The mapping (see the README's eTelecom section):
- a hotline is a line: a number a tenant holds (status Z, "newly created": a hold that
  PartnerActivateTenant turns into a purchase) or owns (P); N when its tenant is not
  active. Its id is the number's id, `hotline` the E.164 digits without "+";
- the shop and its eTelecom tenant are one vpbx tenant, so a tenant's `owner_id` (and an
  extension's `account_id`) is the tenant's own id;
- vpbx has one connection method (its SIP server): `connection_id` "0", method "unknown";
- ids are int64 decimal strings, "0" for none; times RFC 3339 in UTC, and eTelecom's
  "0001-01-01T00:00:00Z" for an extension that never expires.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import phonenumbers

from vpbx.api.dialects.etelecom import wire
from vpbx.calls.schemas import CallRecordOut
from vpbx.errors import Invalid
from vpbx.models import Tenant
from vpbx.numbers.enums import NumberStatus
from vpbx.numbers.phone import to_phone_number
from vpbx.numbers.schemas import Line
from vpbx.pbx.schemas import ExtensionWithPassword, PbxSettings, UserOut

NEVER = "0001-01-01T00:00:00Z"
NO_CONNECTION = "0"
CONNECTION_METHOD = "unknown"
_NETWORKS: tuple[wire.Network, ...] = ("viettel", "mobifone", "vinaphone")
_DEFAULT_PORTS = {"udp": 5060, "tcp": 5060, "tls": 5061, "ws": 80, "wss": 443}


def rfc3339(moment: datetime | None) -> str:
    if moment is None:
        return NEVER
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def int64(value: int | None) -> str:
    return str(value or 0)


def digits(e164: str) -> str:
    """E.164 without the plus: eTelecom carries numbers as string<int64>."""
    return e164.removeprefix("+")


def to_e164(text: str, default_country: str, field: str) -> str:
    """A number as eTelecom clients send it: national ("02836251234"), E.164 with or
    without "+"."""
    try:
        country = default_country if text.strip().startswith("0") else None
        number = to_phone_number(text, country)
    except Invalid as exc:
        raise Invalid(exc.message, code="invalid_number", field=field) from None
    if not phonenumbers.is_valid_number(number):
        raise Invalid(f"{text!r} is not a valid phone number", code="invalid_number", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def network(carrier: str) -> wire.Network:
    name = carrier.lower()
    found = next((n for n in _NETWORKS if n in name), None)
    return found or ("other" if name else "unknown")


# --- hotlines and tenants -------------------------------------------------------------


def hotline_status(line: Line) -> wire.Status:
    if not line.tenant_active:
        return "N"
    return "P" if line.status == NumberStatus.ACTIVE else "Z"


def _describe(line: Line) -> str:
    """vpbx keeps no label on a number: the description says what the stock knows."""
    parts = [p for p in (line.region, line.carrier) if p]
    if line.status == NumberStatus.RESERVED and line.reserved_until is not None:
        parts.append(f"held until {rfc3339(line.reserved_until)}")
    elif line.paid_until is not None:
        parts.append(f"paid until {rfc3339(line.paid_until)}")
    return ", ".join(parts)


def hotline(line: Line) -> wire.Hotline:
    number = phonenumbers.parse(line.e164)
    return wire.Hotline(
        connection_id=NO_CONNECTION,
        connection_method=CONNECTION_METHOD,
        # When the tenant took it: bought (active_since), else held (its last change).
        created_at=rfc3339(line.active_since or line.updated_at),
        description=_describe(line),
        hotline=digits(line.e164),
        id=int64(line.id),
        # vpbx checks no balance before a call.
        is_free_charge=True,
        name=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        network=network(line.carrier),
        owner_id=int64(line.tenant_id),
        status=hotline_status(line),
        updated_at=rfc3339(line.updated_at),
    )


def tenant_status(tenant: Tenant, owns_numbers: bool) -> wire.Status:
    """P: active with a number (eTelecom's "activated"); Z: active without one yet."""
    if tenant.status != "active":
        return "N"
    return "P" if owns_numbers else "Z"


def tenant(row: Tenant, *, owns_numbers: bool) -> wire.Tenant:
    return wire.Tenant(
        connection_id=NO_CONNECTION,
        connection_method=CONNECTION_METHOD,
        created_at=rfc3339(row.created_at),
        domain=row.sip_domain,
        id=int64(row.id),
        name=row.name,
        owner_id=int64(row.id),
        status=tenant_status(row, owns_numbers),
        updated_at=rfc3339(row.updated_at),
    )


# --- the PBX ---------------------------------------------------------------------------


def extension_state(ext: ExtensionWithPassword, now: datetime) -> wire.Status:
    """P: valid; N: disabled or past its expiry (eTelecom: "expired")."""
    expired = ext.expires_at is not None and ext.expires_at <= now
    return "N" if expired or not ext.enabled else "P"


def extension(
    ext: ExtensionWithPassword, *, tenant_id: int, hotline_ids: Mapping[str, int], now: datetime
) -> wire.Extension:
    caller_id = ext.caller_id_hotline
    return wire.Extension(
        account_id=int64(tenant_id),
        created_at=rfc3339(ext.created_at),
        expires_at=rfc3339(ext.expires_at),
        extension_number=ext.number,
        extension_password=ext.password,
        hotline_id=int64(hotline_ids.get(caller_id) if caller_id else None),
        id=int64(ext.id),
        state=extension_state(ext, now),
        subscription_id="0",
        tenant_domain=ext.sip.domain,
        tenant_id=int64(tenant_id),
        updated_at=rfc3339(ext.updated_at),
        user_id=int64(ext.user_id),
    )


def user(row: UserOut) -> wire.User:
    return wire.User(
        id=int64(row.id),
        full_name=row.full_name,
        email=row.email,
        phone=digits(row.phone or ""),
        role=row.role,
        status="P" if row.enabled else "N",
        created_at=rfc3339(row.created_at),
        updated_at=rfc3339(row.updated_at),
    )


def driver_config(tenant_id: int, pbx: PbxSettings) -> wire.DriverConfig:
    transport, host, port = split_proxy(pbx.outbound_proxy)
    return wire.DriverConfig(
        tenant_id=int64(tenant_id),
        domain=pbx.sip_domain,
        outbound_proxy=pbx.outbound_proxy,
        transport=transport,
        proxy_host=host,
        proxy_port=port,
        extension_length=pbx.extension_length,
    )


def split_proxy(proxy: str) -> tuple[wire.Transport, str, int]:
    """(transport, host, port) of an outbound proxy: `wss://host:port/path`,
    `ws://…`, `sip:host:port;transport=tcp` or `sips:host:port`."""
    scheme, _, rest = proxy.partition(":")
    transport: wire.Transport
    if scheme in ("ws", "wss"):
        transport = "wss" if scheme == "wss" else "ws"
        hostport = rest.removeprefix("//").split("/", 1)[0]
    else:
        hostport, *params = rest.split(";")
        wanted = next(
            (p.split("=", 1)[1].lower() for p in params if p.startswith("transport=")), ""
        )
        transport = "tls" if scheme == "sips" else _sip_transport(wanted)
        hostport = hostport.rpartition("@")[2]
    host, port = _host_port(hostport)
    return transport, host, port or _DEFAULT_PORTS[transport]


def _sip_transport(wanted: str) -> wire.Transport:
    known: dict[str, wire.Transport] = {
        "udp": "udp",
        "tcp": "tcp",
        "tls": "tls",
        "ws": "ws",
        "wss": "wss",
    }
    return known.get(wanted, "udp")


def _host_port(hostport: str) -> tuple[str, int | None]:
    if hostport.startswith("["):  # an IPv6 literal
        host, _, tail = hostport.partition("]")
        port_text = tail.removeprefix(":")
        return host + "]", int(port_text) if port_text.isdigit() else None
    host, colon, port_text = hostport.rpartition(":")
    if colon and port_text.isdigit():
        return host, int(port_text)
    return hostport, None


# --- call history --------------------------------------------------------------------

_COMPARISONS = {
    "equal": "eq",
    "not_equal": "ne",
    "greater_than": "gt",
    "greater_than_or_equal_to": "gte",
    "less_than": "lt",
    "less_than_or_equal_to": "lte",
}
_NOT_ANSWERED = ["no_answer", "busy", "failed", "rejected"]
# vpbx knows in, out and internal calls; eTelecom's ext_in / ext_out are internal calls
# seen from either end, so all three read vpbx's internal calls.
_DIRECTIONS = {
    "in": ["in"],
    "out": ["out"],
    "ext": ["internal"],
    "ext_in": ["internal"],
    "ext_out": ["internal"],
}


def call_filter(
    wanted: wire.CallLogFilter, *, hotlines: list[str], groups: list[str]
) -> dict[str, Any]:
    """The fields of vpbx's CallFilter for eTelecom's filter (hotline and department ids
    already resolved to E.164 numbers and ring-group numbers)."""
    call_ids = {i.strip() for i in (wanted.external_id, wanted.external_session_id) if i.strip()}
    if len(call_ids) > 1:
        raise Invalid(
            "vpbx keeps one id per call: external_id and external_session_id must be equal",
            field="filter.external_session_id",
        )
    comparison = _COMPARISONS.get(wanted.duration.comparison)
    return {
        "date_from": wanted.date_from,
        "date_to": wanted.date_to,
        "directions": _DIRECTIONS.get(wanted.direction, []),
        "dispositions": {"answered": ["answered"], "not_answered": _NOT_ANSWERED}.get(
            wanted.call_state, []
        ),
        "extension_ids": wanted.extension_ids,
        "hotlines": hotlines,
        "numbers": [wanted.call_number.strip()] if wanted.call_number.strip() else [],
        "groups": groups,
        "call_ids": sorted(call_ids),
        "user_id": wanted.user_id,
        "duration": [{"op": comparison, "value": wanted.duration.value}] if comparison else [],
    }


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds()))


def call_log(call: CallRecordOut) -> wire.CallLog:
    answered = call.disposition == "answered"
    target = wire.CallTarget(
        add_time=rfc3339(call.started_at),
        answered_time=rfc3339(call.answered_at),
        end_reason=call.hangup_cause or call.disposition,
        ended_time=rfc3339(call.ended_at),
        fail_code=0 if answered else call.sip_status or 0,
        ring_duration=_seconds(call.started_at, call.answered_at or call.ended_at),
        ring_time=rfc3339(call.started_at),
        status=call.disposition,
        target_number=call.extension or digits(call.callee),
        trunk_name="",
    )
    direction: wire.CallDirection = "ext" if call.direction == "internal" else call.direction
    return wire.CallLog(
        call_state="answered" if answered else "not_answered",
        call_status="P" if answered else "N",
        call_targets=[target],
        callee=digits(call.callee),
        caller=digits(call.caller),
        contact_id="0",
        created_at=rfc3339(call.created_at),
        direction=direction,
        duration=call.duration_s,
        ended_at=rfc3339(call.ended_at),
        extension_id=int64(call.extension_id),
        external_id=call.call_id,
        external_session_id=call.call_id,
        id=int64(call.id),
        note="",
        recording_urls=[call.recording_url] if call.recording_url else [],
        started_at=rfc3339(call.started_at),
        updated_at=rfc3339(call.created_at),  # a call record is never edited
        user_id=int64(call.user_id),
    )
