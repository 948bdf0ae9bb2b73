"""Helpers shared by the package tests and the DMall dialect tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from vpbx.api.app import create_app
from vpbx.config import Settings
from vpbx.models import SmsOutboxEntry

VIETTEL_PHONE = "0337880699"  # the DMall example's subscriber (Viettel)
MOBIFONE_PHONE = "0936004420"  # the other DMall example (MobiFone)
VINAPHONE_PHONE = "0912345678"
CATALOGUE = [
    {"carrier": "VIETTEL", "product_code": "MP5X", "type": "COMBO", "price": "5000",
     "validity_days": 5, "description": "Gọi và nhắn tin 5 ngày"},
    {"carrier": "VIETTEL", "product_code": "V200B", "type": "COMBO", "price": "200000",
     "validity_days": 30},
    {"carrier": "MOBIFONE", "product_code": "6C120", "type": "COMBO", "price": "720000",
     "validity_days": 180},
    {"carrier": "VINAPHONE", "product_code": "D60G", "type": "DATA", "price": "120000",
     "validity_days": 30},
]  # fmt: skip
CODE = re.compile(r"\b(\d{6})\b")


def load_catalogue(client: TestClient, party: Party) -> list[dict[str, Any]]:
    created = []
    for item in CATALOGUE:
        response = client.post("/v1/packages", json=item, headers=party.partner_headers)
        assert response.status_code == 201, response.text
        created.append(response.json())
    return created


def outbox_texts(factory: sessionmaker[Session], e164: str) -> list[str]:
    """Texts the outbox kept for a phone, newest first."""
    with factory() as session:
        rows = session.scalars(
            select(SmsOutboxEntry.text)
            .where(SmsOutboxEntry.recipient == e164)
            .order_by(SmsOutboxEntry.id.desc())
        ).all()
    return list(rows)


def last_code(factory: sessionmaker[Session], e164: str) -> str:
    texts = outbox_texts(factory, e164)
    assert texts, f"no SMS to {e164} in the outbox"
    match = CODE.search(texts[0])
    assert match is not None, texts[0]
    return match.group(1)


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def request(
    client: TestClient,
    headers: dict[str, str],
    phone: str = VIETTEL_PHONE,
    product_code: str = "MP5X",
    carrier: str = "VIETTEL",
    **extra: Any,
) -> Any:
    body = {"phone": phone, "carrier": carrier, "product_code": product_code, **extra}
    return client.post("/v1/package-orders", json=body, headers=headers)


def ordered(client: TestClient, headers: dict[str, str], **kwargs: Any) -> dict[str, Any]:
    response = request(client, headers, **kwargs)
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


def confirm(client: TestClient, headers: dict[str, str], order_id: int, otp: str) -> Any:
    return client.post(f"/v1/package-orders/{order_id}/confirm", json={"otp": otp}, headers=headers)


@contextmanager
def client_with(settings: Settings, engine: Engine, **changes: Any) -> Iterator[TestClient]:
    """A client of an app whose settings differ (limits, ttl, gateway…)."""
    app = create_app(settings.model_copy(update=changes), engine)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
