"""The PBX set-up a tenant administrator walks through, end to end over HTTP."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from vpbx.models import Extension


def test_user_extension_password_and_domain_rename(
    client: TestClient,
    alice: Party,
    bob: Party,
    stock: list[str],
    factory: sessionmaker[Session],
) -> None:
    h = alice.headers
    hotline = "+842438256868"
    assert (
        client.post("/v1/orders", json={"numbers": [hotline], "months": 1}, headers=h).status_code
        == 201
    )
    user = client.post(
        "/v1/users", json={"full_name": "Lan Nguyen", "email": "Lan@Acme.vn"}, headers=h
    )
    assert user.status_code == 201, user.text
    assert user.json()["email"] == "lan@acme.vn"
    created = client.post(
        "/v1/extensions",
        json={
            "display_name": "Lan",
            "user_id": user.json()["id"],
            "caller_id_hotline": hotline,
            "outbound_hotlines": [hotline],
        },
        headers=h,
    )
    assert created.status_code == 201, created.text
    ext = created.json()
    assert ext["number"] == "101"
    assert ext["caller_id_hotline"] == hotline
    assert len(ext["password"]) == 20
    domain = client.get("/v1/pbx", headers=h).json()["sip_domain"]
    assert ext["sip"]["domain"] == domain

    def stored() -> Extension:
        with factory() as session:
            row = session.scalar(select(Extension).where(Extension.id == ext["id"]))
            assert row is not None
            return row

    def ha1(domain: str, password: str) -> str:
        return hashlib.md5(f"101:{domain}:{password}".encode()).hexdigest()

    assert stored().ha1 == ha1(domain, ext["password"])
    assert ext["password"] not in stored().password_sealed

    renamed = client.patch("/v1/pbx", json={"sip_domain": "acme.vpbx.local"}, headers=h)
    assert renamed.status_code == 200, renamed.text
    assert stored().ha1 == ha1("acme.vpbx.local", ext["password"])

    rotated = client.post(f"/v1/extensions/{ext['id']}/password", json={}, headers=h).json()
    assert rotated["password"] != ext["password"]
    assert stored().ha1 == ha1("acme.vpbx.local", rotated["password"])
    secret = client.get(f"/v1/extensions/{ext['id']}/secret", headers=h).json()
    assert secret["password"] == rotated["password"]

    # Bob sees none of it, and cannot reference it.
    assert client.get(f"/v1/extensions/{ext['id']}/secret", headers=bob.headers).status_code == 404
    assert (
        client.patch(
            f"/v1/extensions/{ext['id']}", json={"enabled": False}, headers=bob.headers
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/v1/extensions", json={"user_id": user.json()["id"]}, headers=bob.headers
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/v1/extensions", json={"caller_id_hotline": hotline}, headers=bob.headers
        ).status_code
        == 422
    )
    taken = client.patch("/v1/pbx", json={"sip_domain": "acme.vpbx.local"}, headers=bob.headers)
    assert taken.status_code == 409
    weak = client.post("/v1/extensions", json={"password": "password123"}, headers=h)
    assert weak.status_code == 422
    assert weak.json()["code"] == "weak_password"
