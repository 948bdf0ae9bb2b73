"""Kamailio's credential cache, end to end: a change through vpbx counts on the very next
REGISTER although a previous REGISTER left the old credentials cached.

Each test first registers (which fills the cache), checks the entry is there, changes
the account through vpbx's API, and registers again. The first test shows the cache
is really in the way: a change that bypasses vpbx is not seen until vpbx invalidates.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from tests.conftest import Party
from tests.sip.harness import Stack
from tests.sip.test_calls_e2e import PW, Pbx
from vpbx.models import Extension
from vpbx.pbx.sip import digest_hashes

NEW = "Nw8-rt5Yh3"


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


@pytest.fixture
def pbx(stack: Stack, alice: Party) -> Iterator[Pbx]:
    tenant = Pbx(stack, alice)
    yield tenant
    tenant.close()


def _registered_and_cached(stack: Stack, pbx: Pbx, number: str) -> str:
    """Register `number` with its password; the cached entry that left behind."""
    assert stack.register(number, pbx.domain, PW[number])
    entry = stack.cached(f"{number}@{pbx.domain}")
    assert entry is not None
    assert entry != "-"
    return entry


def test_the_cache_answers_until_vpbx_invalidates_it(
    stack: Stack, pbx: Pbx, engine: Engine
) -> None:
    pbx.extension("101")
    aor = f"101@{pbx.domain}"
    assert stack.cached(aor) is None  # nothing is read before it is needed
    expiry, ha1 = _registered_and_cached(stack, pbx, "101").split(":")
    assert (expiry, ha1) == ("0", digest_hashes("101", pbx.domain, PW["101"])[0])
    # A write that bypasses vpbx: Kamailio still answers from its cache...
    with Session(engine) as session, session.begin():
        ha1_new, ha1b_new = digest_hashes("101", pbx.domain, NEW)
        session.execute(
            update(Extension)
            .where(Extension.id == pbx.ids["101"])
            .values(ha1=ha1_new, ha1b=ha1b_new)
        )
    assert stack.register("101", pbx.domain, PW["101"])
    assert stack.register("101", pbx.domain, NEW, expect=401)
    # ...until it is told, as vpbx's notifier does after each commit.
    stack.control.forget_credentials(aor)
    assert stack.cached(aor) == "-"
    assert stack.register("101", pbx.domain, PW["101"], expect=401)
    assert stack.register("101", pbx.domain, NEW)
    assert stack.cached(aor) == f"0:{ha1_new}"


def test_a_new_password_counts_on_the_next_register(stack: Stack, pbx: Pbx) -> None:
    pbx.extension("101")
    _registered_and_cached(stack, pbx, "101")
    _ok(pbx.http.post(f"/v1/extensions/{pbx.ids['101']}/password", json={"password": NEW}))
    assert stack.register("101", pbx.domain, PW["101"], expect=401)
    assert stack.register("101", pbx.domain, NEW)


def test_a_disabled_extension_is_refused_on_the_next_register(stack: Stack, pbx: Pbx) -> None:
    pbx.extension("101")
    _registered_and_cached(stack, pbx, "101")
    _ok(pbx.http.patch(f"/v1/extensions/{pbx.ids['101']}", json={"enabled": False}))
    assert stack.register("101", pbx.domain, PW["101"], expect=401)
    assert stack.cached(f"101@{pbx.domain}") == "-"  # refusals are not cached
    _ok(pbx.http.patch(f"/v1/extensions/{pbx.ids['101']}", json={"enabled": True}))
    assert stack.register("101", pbx.domain, PW["101"])


def test_a_deleted_extension_is_refused_on_the_next_register(stack: Stack, pbx: Pbx) -> None:
    pbx.extension("101")
    _registered_and_cached(stack, pbx, "101")
    assert pbx.http.delete(f"/v1/extensions/{pbx.ids['101']}").status_code == 204
    assert stack.register("101", pbx.domain, PW["101"], expect=401)


def test_an_expiry_in_the_past_counts_on_the_next_register(stack: Stack, pbx: Pbx) -> None:
    pbx.extension("101")
    _registered_and_cached(stack, pbx, "101")
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    _ok(pbx.http.patch(f"/v1/extensions/{pbx.ids['101']}", json={"expires_at": past}))
    assert stack.register("101", pbx.domain, PW["101"], expect=401)


def test_an_expiry_is_kept_with_the_hash_and_stops_registrations_on_time(
    stack: Stack, pbx: Pbx
) -> None:
    pbx.extension("101")
    _registered_and_cached(stack, pbx, "101")
    # A new (future) expiry: the cached entry, which said "never", is forgotten...
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    _ok(pbx.http.patch(f"/v1/extensions/{pbx.ids['101']}", json={"expires_at": soon.isoformat()}))
    assert stack.registered(f"101@{pbx.domain}") == 1  # still allowed: bindings stay
    assert stack.cached(f"101@{pbx.domain}") == "-"
    # ...and read again with its expiry.
    assert stack.register("101", pbx.domain, PW["101"])
    entry = stack.cached(f"101@{pbx.domain}")
    assert entry is not None
    assert entry.split(":")[0] == str(int(soon.timestamp()))
    # Nobody tells Kamailio when that time comes: it checks the cached expiry itself.
    time.sleep(max(0.0, soon.timestamp() - time.time()) + 0.2)
    assert stack.register("101", pbx.domain, PW["101"], expect=401)


def test_a_suspended_tenant_is_unregistered_and_refused(stack: Stack, pbx: Pbx) -> None:
    """The partner suspends the tenant through the API: its phones are unregistered at
    once, cannot register or call again until it is reactivated."""
    pbx.extension("101")
    pbx.extension("102")
    _registered_and_cached(stack, pbx, "101")
    _registered_and_cached(stack, pbx, "102")
    assert stack.registered(f"101@{pbx.domain}") == 1
    _set_status(pbx, "suspended")
    assert stack.cached(f"101@{pbx.domain}") is None  # the whole cache was emptied
    assert stack.registered(f"101@{pbx.domain}") == 0
    assert stack.registered(f"102@{pbx.domain}") == 0
    assert stack.register("101", pbx.domain, PW["101"], expect=401)
    assert stack.register("102", pbx.domain, PW["102"], expect=401)
    assert stack.call("101", pbx.domain, PW["101"], "102", expect=407)  # no account now
    _set_status(pbx, "active")
    assert stack.register("101", pbx.domain, PW["101"])


def _set_status(pbx: Pbx, status: str) -> None:
    path = f"/v1/tenants/{pbx.party.tenant_id}"
    assert _ok(pbx.partner.patch(path, json={"status": status}))["status"] == status


def test_an_unknown_account_is_not_cached(stack: Stack, pbx: Pbx) -> None:
    assert stack.register("101", pbx.domain, PW["101"], expect=401)
    assert stack.cached(f"101@{pbx.domain}") is None
    pbx.extension("101")  # no notification: nothing was cached to forget
    assert stack.register("101", pbx.domain, PW["101"])


def test_credentials_naming_no_possible_account_are_refused(stack: Stack, pbx: Pbx) -> None:
    pbx.extension("101")
    # a quote would end the SQL string: such a name never reaches the query
    assert stack.register("10'1", pbx.domain, PW["101"], expect=401)
    assert stack.register("101", pbx.domain, PW["101"])


def test_without_the_cache_every_request_reads_the_view(
    uncached_stack: Stack, alice: Party
) -> None:
    pbx = Pbx(uncached_stack, alice)
    pbx.extension("101")
    assert uncached_stack.register("101", pbx.domain, PW["101"])
    assert uncached_stack.register("101", pbx.domain, "Wrong-pass9", expect=401)
    assert uncached_stack.cached(f"101@{pbx.domain}") is None
    _ok(pbx.http.patch(f"/v1/extensions/{pbx.ids['101']}", json={"enabled": False}))
    assert uncached_stack.register("101", pbx.domain, PW["101"], expect=401)
    pbx.close()
