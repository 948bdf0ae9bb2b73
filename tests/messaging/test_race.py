"""Concurrent sends from one number never spend more than its packet holds."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.messaging.helpers import NUMBER
from vpbx.config import Settings
from vpbx.db import transaction
from vpbx.errors import DomainError
from vpbx.messaging.schemas import MessageSend
from vpbx.messaging.service import MessagingService
from vpbx.models import SmsMessage, SmsPacket
from vpbx.tenancy.principal import Principal

SENDERS = 16  # against a packet of 10


def test_racing_senders_never_overspend_a_packet(
    client: TestClient,
    alice: Party,
    packet: dict[str, Any],
    factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    me = Principal(
        actor="race", partner_id=alice.partner_id, tenant_id=alice.tenant_id, is_partner=False
    )
    data = MessageSend.model_validate({"from": NUMBER, "to": "0337880699", "text": "hi"})
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(SENDERS)

    def sender() -> None:
        start.wait()
        try:
            with transaction(factory) as session:
                MessagingService(session, settings).send(me, data)
            result = "sent"
        except DomainError as exc:
            result = exc.code
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert outcomes == Counter({"sent": 10, "sms_quota_exhausted": SENDERS - 10})
    with factory() as session:
        stored = session.get(SmsPacket, packet["id"])
        assert stored is not None
        assert stored.remaining == 0
        assert session.scalar(select(func.count()).select_from(SmsMessage)) == 10
