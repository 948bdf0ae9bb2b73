"""Pure rules of forwarding: the type table, which body fields a type takes, SIP URIs and
CRM hosts. No I/O; the services call these and turn nothing into SQL.

Owner types (Plusofon's follow-types): a *business* number is multichannel and runs PBX
logic, a *personal* number is single-channel and used by one person. The seed lists sip
and number for both, group and scenario for business only. Its example stops there, so
for the other types vpbx decides:

- call_queue: business only. A queue holds several callers waiting at once and hands
  them to several agents; a single-channel number can carry one call, so a queue behind
  it would never hold anyone. It is PBX logic, like group and scenario.
- sip_uri: business and personal. It sends the one call to one SIP address, exactly
  like sip (an extension) or number (an outside number), which the seed allows for both.
- bitrix, amo: business only. A CRM integration distributes calls among a company's
  staff (PBX logic), and the seed's only number with an `integration_following` (amo)
  is a business number while its personal number has none.
- empty: both (any number may have no forwarding).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Final

from vpbx.errors import Invalid

BUSINESS, PERSONAL = "business", "personal"
BOTH = (BUSINESS, PERSONAL)


@dataclass(frozen=True)
class ForwardingKind:
    """One row of the forwarding-type table: code, title, owner types, target field."""

    type: str
    title: str
    owner_types: tuple[str, ...]
    target_field: str | None


FORWARDING_TYPES: Final = (
    ForwardingKind("sip", "SIP account (extension)", BOTH, "extension_id"),
    ForwardingKind("number", "Phone number", BOTH, "destination_number"),
    ForwardingKind("group", "Ring group", (BUSINESS,), "group_id"),
    ForwardingKind("scenario", "Scenario (voice menu)", (BUSINESS,), "scenario_id"),
    ForwardingKind("call_queue", "Call queue", (BUSINESS,), "call_queue_id"),
    ForwardingKind("sip_uri", "SIP URI", BOTH, "destination_uri"),
    ForwardingKind("bitrix", "Bitrix24 CRM", (BUSINESS,), "host"),
    ForwardingKind("amo", "amoCRM", (BUSINESS,), "host"),
    ForwardingKind("empty", "No forwarding", BOTH, None),
)
KINDS: Final = {kind.type: kind for kind in FORWARDING_TYPES}
CRM_TYPES: Final = frozenset({"bitrix", "amo"})
# Where a CRM-routed call rings while the CRM decides: any type but a CRM itself.
DEFAULT_TYPES: Final = ("sip", "number", "group", "scenario", "call_queue", "sip_uri", "empty")

CLI_MODES: Final = (
    ("Y", "Caller's number and name"),
    ("N", "Forwarding number"),
)

# Every body field a forwarding may carry besides `type`.
SPEC_FIELDS: Final = (
    "extension_id",
    "destination_number",
    "group_id",
    "scenario_id",
    "call_queue_id",
    "destination_uri",
    "host",
    "type_default",
    "cli_mode",
    "cli_mode_default",
)


def allowed(type_: str, owner_type: str) -> bool:
    return owner_type in KINDS[type_].owner_types


def fields_of(type_: str, type_default: str) -> tuple[set[str], set[str]]:
    """(allowed, required) body fields of a forwarding of this type.

    The target field of the type and `cli_mode` are required except for empty; a CRM
    type also takes `type_default` with that type's own target and `cli_mode_default`.
    """
    if type_ == "empty":
        return set(), set()
    required = {"cli_mode"}
    target = KINDS[type_].target_field
    if target is not None:
        required.add(target)
    permitted = set(required)
    if type_ in CRM_TYPES:
        permitted.add("type_default")
        default_target = KINDS[type_default].target_field
        if default_target is not None:
            required |= {default_target, "cli_mode_default"}
        permitted |= required
    return permitted, required


# --- SIP URIs -------------------------------------------------------------------------

_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_HOSTNAME = rf"{_LABEL}(?:\.{_LABEL})*\.?"
_IPV6 = r"\[[0-9A-Fa-f:.]+\]"
# user@host[:port][;params]: the user part may hold any URI-safe character but '@'.
_SIP_URI = re.compile(
    rf"(?P<scheme>sips?):(?P<user>[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+)@"
    rf"(?P<host>{_HOSTNAME}|{_IPV6})(?::(?P<port>[0-9]{{1,5}}))?(?P<params>;[^\s<>\"@]*)?",
    re.IGNORECASE,
)


def sip_uri(text: str, field: str) -> str:
    """A `sip:` or `sips:` URI naming user@host; the scheme is stored in lower case.

    Not even surrounding whitespace is trimmed: the URI goes into SIP headers as given.
    """
    value = text
    match = _SIP_URI.fullmatch(value)
    if match is None or not _port_ok(match.group("port")) or not _ipv6_ok(match.group("host")):
        raise Invalid(
            f"{field} must be a SIP URI like sip:user@pbx.example.com (no spaces)", field=field
        )
    scheme = match.group("scheme").lower()
    return scheme + value[len(scheme) :]


def _port_ok(port: str | None) -> bool:
    return port is None or 0 < int(port) < 65536


def _ipv6_ok(host: str) -> bool:
    if not host.startswith("["):
        return True
    try:
        ipaddress.IPv6Address(host[1:-1])
    except ValueError:
        return False
    return True


# --- CRM hosts --------------------------------------------------------------------------

# Names that only ever mean "this machine" or "this private network" (RFC 6761, 6762,
# 8375 and the usual private suffixes); a CRM on the Internet never has one.
_LOCAL_SUFFIXES: Final = (
    "localhost",
    "localdomain",
    "local",
    "internal",
    "intranet",
    "lan",
    "home",
    "corp",
    "private",
    "home.arpa",
    "invalid",
    "test",
    "arpa",
)
_CRM_URL = re.compile(
    r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?(?P<host>\[[^\]/]*\]|[^:/?#\[\]]+)"
    r"(?::(?P<port>[0-9]{1,5}))?/?"
)


def crm_host(text: str) -> str:
    """A CRM's host as stored: `host` or `host:port`, lower case, from a host name or an
    `https://host[:port][/]` address.

    DNS is not resolved here, on purpose: the address a name points to can change at any
    time (DNS rebinding), so a check at save time proves nothing about the moment vpbx
    connects; resolving also makes saving depend on the outside world and leaks which
    names a tenant probes. The component that connects to the CRM must check the
    resolved address again, at connection time. What can be refused now is refused:
    plain http, IP literals outside the public Internet, and local-only names.
    """
    value = text.strip()
    match = _CRM_URL.fullmatch(value)
    if match is None or not value or any(ch.isspace() for ch in value):
        raise _host_error("host must be a host name or an https:// address with no path")
    scheme = (match.group("scheme") or "https").lower()
    if scheme != "https":
        raise _host_error("the CRM must be reached over https (http and other schemes are not)")
    port = match.group("port")
    if not _port_ok(port):
        raise _host_error("the port must be between 1 and 65535")
    host = _public_host(match.group("host").lower().rstrip("."))
    return host if port is None else f"{host}:{int(port)}"


def _public_host(host: str) -> str:
    literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        address = ipaddress.ip_address(literal)
    except ValueError:
        return _public_name(host)
    if not _is_public(address):
        raise _host_error(f"{literal} is not a public Internet address")
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally routable unicast, including an IPv4 address embedded in an IPv6 one."""
    if not address.is_global or address.is_multicast:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded = [address.ipv4_mapped, address.sixtofour]
        if address.teredo is not None:
            embedded.extend(address.teredo)
        if address in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        return all(_is_public(v4) for v4 in embedded if v4 is not None)
    return True


def _public_name(host: str) -> str:
    labels = host.split(".")
    if (
        len(host) > 253
        or len(labels) < 2
        or not all(re.fullmatch(_LABEL, label) for label in labels)
        # A numeric or hex last label is an IP address in disguise ("127.1", "1.0x7f").
        or not any(ch.isalpha() for ch in labels[-1])
        or labels[-1].startswith("0x")
    ):
        raise _host_error(f"{host!r} is not a host name like example.bitrix24.ru")
    if any(host == suffix or host.endswith("." + suffix) for suffix in _LOCAL_SUFFIXES):
        raise _host_error(f"{host} is a local name, not a public host")
    return host


def _host_error(message: str) -> Invalid:
    return Invalid(message, field="host", code="invalid_host")
