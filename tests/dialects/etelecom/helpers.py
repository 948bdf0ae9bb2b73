"""An eTelecom client for the tests, and the documented shapes its answers must have."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.conftest import Party

BASE_URL = "/etelecom/api"  # the default VPBX_ETELECOM_PREFIX
JSON = {"Content-Type": "application/json", "Accept": "application/json"}

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
INT64 = re.compile(r"^(0|[1-9][0-9]{0,18})$")
STATUS = {"Z", "P", "N"}
NETWORKS = {"unknown", "mobifone", "vinaphone", "viettel", "other"}

# Every documented field of each object and its documented type: "int64" is
# string<int64>, "time" string<date-time>, "status" the Z/P/N enum.
HOTLINE = {
    "connection_id": "int64",
    "connection_method": str,
    "created_at": "time",
    "description": str,
    "hotline": "int64",
    "id": "int64",
    "is_free_charge": bool,
    "name": str,
    "network": "network",
    "owner_id": "int64",
    "status": "status",
    "updated_at": "time",
}
TENANT = {
    "connection_id": "int64",
    "connection_method": str,
    "created_at": "time",
    "domain": str,
    "id": "int64",
    "name": str,
    "owner_id": "int64",
    "status": "status",
    "updated_at": "time",
}
EXTENSION = {
    "account_id": "int64",
    "created_at": "time",
    "expires_at": "time",
    "extension_number": str,
    "extension_password": str,
    "hotline_id": "int64",
    "id": "int64",
    "state": "status",
    "subscription_id": "int64",
    "tenant_domain": str,
    "tenant_id": "int64",
    "updated_at": "time",
    "user_id": "int64",
}
USER = {  # inferred shape
    "id": "int64",
    "full_name": str,
    "email": str,
    "phone": str,
    "role": str,
    "status": "status",
    "created_at": "time",
    "updated_at": "time",
}
PAGING_OUT = {"after": str, "before": str, "limit": int, "next": str, "prev": str, "sort": str}


def assert_shape(obj: dict[str, Any], spec: dict[str, Any]) -> None:
    """Exactly the documented fields, each of the documented type."""
    assert set(obj) == set(spec), set(obj) ^ set(spec)
    for name, kind in spec.items():
        value = obj[name]
        if kind == "int64":
            assert isinstance(value, str), (name, value)
            assert INT64.match(value), (name, value)
        elif kind == "time":
            assert isinstance(value, str), (name, value)
            assert RFC3339.match(value), (name, value)
        elif kind == "status":
            assert value in STATUS, (name, value)
        elif kind == "network":
            assert value in NETWORKS, (name, value)
        elif kind is int:
            assert isinstance(value, int), (name, value)
            assert not isinstance(value, bool), (name, value)
        else:
            assert isinstance(value, kind), (name, value)


def assert_list(body: dict[str, Any], key: str, spec: dict[str, Any]) -> list[dict[str, Any]]:
    assert set(body) == {key, "paging"}, body
    assert_shape(body["paging"], PAGING_OUT)
    items: list[dict[str, Any]] = body[key]
    for item in items:
        assert_shape(item, spec)
    return items


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """eTelecom's envelope: {"code", "msg"} (and Twirp's optional meta), this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert isinstance(body["msg"], str), body
    assert body["msg"], body
    assert set(body) <= {"code", "msg", "meta"}, body
    assert all(isinstance(v, str) for v in body.get("meta", {}).values()), body
    return body


def assert_client_error(response: httpx.Response) -> dict[str, Any]:
    """Any refusal in the envelope with a 4xx status; never a crash."""
    assert 400 <= response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    assert set(body) <= {"code", "msg", "meta"}, body
    assert body["code"], body
    assert body["msg"], body
    return body


@dataclass
class Etelecom:
    http: TestClient
    prefix: str = BASE_URL

    def post(
        self,
        method: str,
        body: Any = None,
        *,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        sent = {**JSON, **(headers or {})}
        if key is not None:
            sent["Authorization"] = f"Bearer {key}"
        url = f"{self.prefix}.Etelecom/{method}"
        if content is not None:
            return self.http.post(url, content=content, headers=sent)
        return self.http.post(url, json={} if body is None else body, headers=sent)

    def ok(self, method: str, body: Any = None, *, key: str, **kw: Any) -> dict[str, Any]:
        response = self.post(method, body, key=key, **kw)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    # --- flows the tests share ---------------------------------------------------

    def hold(self, party: Party, number: str) -> dict[str, Any]:
        """PartnerAddHotline for the party's tenant: the hotline, status Z."""
        body = {"hotline": number, "name": "Sales", "owner_id": str(party.tenant_id)}
        return self.ok("PartnerAddHotline", body, key=party.partner_key)

    def activate(self, party: Party, hotline_id: str) -> dict[str, Any]:
        body = {"hotline_id": hotline_id, "tenant_id": str(party.tenant_id)}
        return self.ok("PartnerActivateTenant", body, key=party.partner_key)

    def hotline(self, party: Party, number: str) -> str:
        """A hotline the party's tenant owns (added, then activated): its id."""
        hotline_id: str = self.hold(party, number)["id"]
        assert self.activate(party, hotline_id) == {"updated": 1}
        return hotline_id

    def extension(self, party: Party, number: int, hotline_id: str, **more: Any) -> dict[str, Any]:
        body = {"extension_number": number, "hotline_id": hotline_id, **more}
        return self.ok("CreateExtension", body, key=party.tenant_key)

    def user(self, party: Party, email: str = "lan@shop.vn") -> dict[str, Any]:
        body = {"full_name": "Lan Nguyen", "email": email}
        return self.ok("CreateUser", body, key=party.tenant_key)
