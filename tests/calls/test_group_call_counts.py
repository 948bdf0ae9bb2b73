"""The round-robin rotation as a counter: kept with the records, filled by its migration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from vpbx import schema
from vpbx.models import CallRecord, GroupCallCount

BEFORE_COUNTS = "5d1c0e7a9b42"  # the revision before group_call_counts


def _records(factory: sessionmaker[Session], party: Party, groups: list[str | None]) -> None:
    """Call records as an older vpbx wrote them (no counter to keep)."""
    ended = datetime.now(UTC)
    with factory.begin() as session:
        for index, group in enumerate(groups):
            session.add(
                CallRecord(
                    tenant_id=party.tenant_id,
                    call_id=f"old-{index}",
                    direction="internal",
                    caller="101",
                    callee=group or "102",
                    group_number=group,
                    started_at=ended - timedelta(seconds=30),
                    ended_at=ended,
                    duration_s=30,
                    billsec=0,
                    disposition="no_answer",
                )
            )


def test_the_migration_counts_the_calls_recorded_before_it(
    db_url: str, factory: sessionmaker[Session], alice: Party, bob: Party
) -> None:
    _records(factory, alice, ["600", "600", "601", None, "600"])
    _records(factory, bob, ["600"])
    schema.downgrade(db_url, BEFORE_COUNTS)  # drops the counts
    schema.upgrade(db_url)
    with factory() as session:
        counts = session.execute(
            select(GroupCallCount.tenant_id, GroupCallCount.group_number, GroupCallCount.calls)
        ).all()
    assert sorted(counts) == sorted(
        [(alice.tenant_id, "600", 3), (alice.tenant_id, "601", 1), (bob.tenant_id, "600", 1)]
    )
