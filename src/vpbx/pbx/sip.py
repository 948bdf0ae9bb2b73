"""SIP account rules: domains, digest hashes, generated and acceptable passwords."""

from __future__ import annotations

import hashlib
import re
import secrets
import string
import unicodedata

from vpbx.errors import Conflict, Invalid

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
# No look-alikes (0/O, 1/l/I): people copy these passwords into softphones by hand.
_ALPHABET = "".join(ch for ch in string.ascii_letters + string.digits if ch not in "0O1lI")
_COMMON = frozenset({"password", "123456", "qwerty", "letmein", "welcome", "admin", "secret"})
MIN_PASSWORD, MAX_PASSWORD = 10, 64


def normalize_domain(domain: str) -> str:
    """A SIP domain: a lowercase DNS name of at least two labels."""
    domain = domain.strip().lower().rstrip(".")
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(_LABEL.fullmatch(x) for x in labels):
        raise Invalid(f"{domain!r} is not a domain name like acme.vpbx.local", field="sip_domain")
    return domain


def domain_for(name: str, suffix: str) -> str:
    """A fresh tenant's domain: its name as a DNS label, a random tag, the suffix."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    label = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "tenant"
    return normalize_domain(f"{label}-{secrets.token_hex(3)}.{suffix}")


def digest_hashes(username: str, domain: str, password: str) -> tuple[str, str]:
    """(HA1, HA1b) as Kamailio's auth_db reads them (realm = the tenant's domain)."""
    ha1 = hashlib.md5(f"{username}:{domain}:{password}".encode()).hexdigest()
    ha1b = hashlib.md5(f"{username}@{domain}:{domain}:{password}".encode()).hexdigest()
    return ha1, ha1b


def generate_password(length: int = 20) -> str:
    if length < MIN_PASSWORD:
        raise ValueError(f"a generated password has at least {MIN_PASSWORD} characters")
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if _classes(candidate) >= 3:
            return candidate


def _classes(password: str) -> int:
    kinds = (str.islower, str.isupper, str.isdigit)
    found = sum(any(kind(ch) for ch in password) for kind in kinds)
    return found + any(not ch.isalnum() for ch in password)


def check_password(password: str, username: str) -> str:
    """Accept a chosen SIP password only if guessing it online is hopeless."""
    problem = None
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        problem = f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters"
    elif not password.isascii() or not password.isprintable() or " " in password:
        problem = "must be printable ASCII without spaces"
    elif _classes(password) < 3:
        problem = "must mix three of: lower case, upper case, digits, symbols"
    elif username in password or any(word in password.lower() for word in _COMMON):
        problem = "must not contain the extension number or a common word"
    if problem is not None:
        raise Invalid(f"weak password: it {problem}", field="password", code="weak_password")
    return password


def claim_number(
    taken: set[str], length: int, wanted: str | None, *, counting_down: bool, taken_code: str
) -> str:
    """A number of the tenant's dial plan, where extensions and groups share one space.

    A chosen number must have the plan's length and be free. Otherwise extensions take
    the lowest free number from x01 up and groups the highest from 699 down, so the two
    kinds stay apart; numbers starting with 0 dial out and are never handed out.
    """
    if wanted is None:
        low, high = 10 ** (length - 1), 7 * 10 ** (length - 1)
        candidates = range(high - 1, low, -1) if counting_down else range(low + 1, 10**length)
        free = next((n for n in candidates if str(n) not in taken), None)
        if free is None:
            raise Conflict(f"no free {length}-digit number", code="dial_plan_full")
        return str(free)
    if len(wanted) != length:
        raise Invalid(f"numbers of this PBX have {length} digits", field="number")
    if wanted in taken:
        raise Conflict(f"{wanted} is taken in this dial plan", code=taken_code, field="number")
    return wanted
