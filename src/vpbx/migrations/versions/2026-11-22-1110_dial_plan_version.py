"""Dial-plan version: a per-tenant stamp the database bumps on every change a route reads

Revision ID: 5d1c0e7a9b42
Revises: 2b112e2db938
Create Date: 2026-11-22 11:10:00

Route decisions use a per-process cache of each tenant's dial plan, valid while the
tenant's `plan_version` is unchanged. Triggers, not application code, bump it: every
write to a table the plan reads counts, whichever code path (a service, a bulk
statement, an operator's SQL, another API node) made it. PostgreSQL uses statement
triggers with transition tables (one UPDATE of the tenant per statement, however many
rows it touched); SQLite has row triggers only. The `numbers` table is the exception on
PostgreSQL: row triggers with a WHEN clause, so that writes to the stock (no tenant:
imports of a million numbers, repricing) neither call a function nor capture a
transition table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5d1c0e7a9b42"
down_revision = "2b112e2db938"
branch_labels = None
depends_on = None

# Table → how to find the tenant of one of its rows (`r`), as a FROM … SELECT tail.
# A row whose parent is gone in the same statement finds no tenant: the parent's own
# trigger has bumped it.
PLAN_TABLES: dict[str, str] = {
    "extensions": "SELECT r.tenant_id FROM {rows} r",
    "extension_hotlines": (
        "SELECT p.tenant_id FROM {rows} r JOIN extensions p ON p.id = r.extension_id"
    ),
    "numbers": "SELECT r.tenant_id FROM {rows} r WHERE r.tenant_id IS NOT NULL",
    "ring_groups": "SELECT r.tenant_id FROM {rows} r",
    "ring_group_members": (
        "SELECT p.tenant_id FROM {rows} r JOIN ring_groups p ON p.id = r.group_id"
    ),
    "number_forwardings": "SELECT r.tenant_id FROM {rows} r",
    "contact_lists": "SELECT r.tenant_id FROM {rows} r",
    "contact_list_entries": (
        "SELECT p.tenant_id FROM {rows} r JOIN contact_lists p ON p.id = r.list_id"
    ),
    "number_contact_lists": "SELECT r.tenant_id FROM {rows} r",
    "scenarios": "SELECT r.tenant_id FROM {rows} r",
    "scenario_options": (
        "SELECT p.tenant_id FROM {rows} r JOIN scenarios p ON p.id = r.scenario_id"
    ),
    "call_queues": "SELECT r.tenant_id FROM {rows} r",
    "call_queue_members": (
        "SELECT p.tenant_id FROM {rows} r JOIN call_queues p ON p.id = r.queue_id"
    ),
    "sip_trunk_tenants": "SELECT r.tenant_id FROM {rows} r",
    "sip_trunks": (
        "SELECT t.tenant_id FROM {rows} r JOIN sip_trunk_tenants t ON t.trunk_id = r.id"
    ),
}
_BUMP = "UPDATE tenants SET plan_version = plan_version + 1 WHERE id IN ({tenants})"
_EVENTS = {"INSERT": ("new",), "UPDATE": ("old", "new"), "DELETE": ("old",)}


def upgrade() -> None:
    op.add_column(
        "tenants", sa.Column("plan_version", sa.BigInteger(), server_default="0", nullable=False)
    )
    statements = _postgresql() if op.get_bind().dialect.name == "postgresql" else _sqlite()
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in PLAN_TABLES:
        for event in _EVENTS:
            name = _name(table, event)
            op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
            if postgresql:
                op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    if postgresql:
        op.execute(f"DROP FUNCTION IF EXISTS {_name('numbers', 'row')}()")
    # A plain DROP COLUMN (SQLite ≥ 3.35): a batch rebuild of `tenants` would break
    # the views that read it.
    op.execute("ALTER TABLE tenants DROP COLUMN plan_version")


def _name(table: str, event: str) -> str:
    return f"vpbx_plan_{table}_{event.lower()}"


def _postgresql() -> list[str]:
    """One statement trigger per table and event (transition tables allow one event
    per trigger), each bumping every tenant the statement touched, once."""
    statements = _postgresql_numbers()
    for table, tenant_of in PLAN_TABLES.items():
        if table == "numbers":
            continue
        for event, sides in _EVENTS.items():
            name = _name(table, event)
            tenants = " UNION ".join(tenant_of.format(rows=f"{side}_rows") for side in sides)
            referencing = " ".join(f"{side.upper()} TABLE AS {side}_rows" for side in sides)
            statements.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{_BUMP.format(tenants=tenants)}; RETURN NULL; END $$"
            )
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    return statements


def _postgresql_numbers() -> list[str]:
    """Row triggers that fire only for numbers a tenant holds or held."""
    function = _name("numbers", "row")
    bump = "UPDATE tenants SET plan_version = plan_version + 1 WHERE id = {side}.tenant_id"
    statements = [
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' AND OLD.tenant_id IS NOT NULL THEN {bump.format(side='OLD')}; "
        "END IF; "
        "IF TG_OP <> 'DELETE' AND NEW.tenant_id IS NOT NULL AND (TG_OP = 'INSERT' "
        "OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id) THEN "
        f"{bump.format(side='NEW')}; END IF; RETURN NULL; END $$"
    ]
    when = {
        "INSERT": "NEW.tenant_id IS NOT NULL",
        "UPDATE": "OLD.tenant_id IS NOT NULL OR NEW.tenant_id IS NOT NULL",
        "DELETE": "OLD.tenant_id IS NOT NULL",
    }
    for event, condition in when.items():
        statements.append(
            f"CREATE TRIGGER {_name('numbers', event)} AFTER {event} ON numbers "
            f"FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION {function}()"
        )
    return statements


def _sqlite() -> list[str]:
    """Row triggers: SQLite has no statement triggers (its UPDATE of a tenant row is an
    in-place page write, so a row each is cheap)."""
    statements = []
    for table, tenant_of in PLAN_TABLES.items():
        for event, sides in _EVENTS.items():
            # In a row trigger the "rows" are the single OLD / NEW row: select it from
            # a one-row subquery so the same FROM … SELECT tails serve both databases.
            tenants = " UNION ".join(
                tenant_of.format(rows=f"(SELECT {_columns(side, table)})") for side in sides
            )
            statements.append(
                f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} "
                f"FOR EACH ROW BEGIN {_BUMP.format(tenants=tenants)}; END"
            )
    return statements


# The columns each tail reads from a row, for SQLite's one-row subqueries.
_ROW_COLUMNS: dict[str, tuple[str, ...]] = {
    "extension_hotlines": ("extension_id",),
    "ring_group_members": ("group_id",),
    "contact_list_entries": ("list_id",),
    "scenario_options": ("scenario_id",),
    "call_queue_members": ("queue_id",),
    "sip_trunks": ("id",),
}


def _columns(side: str, table: str) -> str:
    columns = _ROW_COLUMNS.get(table, ("tenant_id",))
    return ", ".join(f"{side.upper()}.{column} AS {column}" for column in columns)
