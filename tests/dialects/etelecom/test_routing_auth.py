"""Twirp routing (bad_route before any key) and eTelecom's two keys."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import Party
from tests.dialects.etelecom.helpers import TENANT, Etelecom, assert_error, assert_shape
from vpbx.api.app import create_app
from vpbx.config import Settings

URL = "/etelecom/api.Etelecom/GetPartnerHotlineList"


@pytest.mark.parametrize("verb", ["GET", "PUT", "PATCH", "DELETE"])
def test_only_post_is_routed(safe: TestClient, alice: Party, verb: str) -> None:
    response = safe.request(
        verb, URL, headers={"Content-Type": "application/json", **alice.partner_headers}
    )
    body = assert_error(response, 404, "bad_route")
    assert f'unsupported method "{verb}"' in body["msg"]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_json_content_type_is_required(
    safe: TestClient, alice: Party, content_type: str | None
) -> None:
    headers = dict(alice.partner_headers)
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = safe.post(URL, content=b"{}", headers=headers)
    body = assert_error(response, 404, "bad_route")
    assert body["msg"].startswith("unexpected Content-Type")


def test_json_with_a_charset_is_json(et: Etelecom, alice: Party) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    response = et.post("GetPartnerHotlineList", {}, key=alice.partner_key, headers=headers)
    assert response.status_code == 200, response.text


def test_unknown_method_is_bad_route(et: Etelecom, alice: Party) -> None:
    for method in ("NoSuchMethod", "getpartnerhotlinelist", "GetPartnerHotlineList/extra"):
        response = et.post(method, {}, key=alice.partner_key)
        body = assert_error(response, 404, "bad_route")
        assert "no handler for path" in body["msg"]


def test_another_prefix_is_bad_route(safe: TestClient, alice: Party) -> None:
    headers = {"Content-Type": "application/json", **alice.partner_headers}
    for url in ("/twirp.Etelecom/GetPartnerHotlineList", "/etelecom/apix.Etelecom/GetTenant"):
        assert_error(safe.post(url, json={}, headers=headers), 404, "bad_route")


def test_routing_comes_before_the_key(safe: TestClient) -> None:
    """A wrong route says so even without a key (Twirp routes before the handler)."""
    assert_error(safe.get(URL), 404, "bad_route")
    response = safe.post("/etelecom/api.Etelecom/Nope", json={})
    assert_error(response, 404, "bad_route")


def test_the_prefix_is_a_setting(settings: Settings, engine: Engine, alice: Party) -> None:
    custom = settings.model_copy(update={"etelecom_prefix": "/v1/pbx-api"})
    with TestClient(create_app(custom, engine), raise_server_exceptions=False) as http:
        et = Etelecom(http, prefix="/v1/pbx-api")
        assert et.ok("GetPartnerHotlineList", {}, key=alice.partner_key)["hotlines"] == []
        old = Etelecom(http).post("GetPartnerHotlineList", {}, key=alice.partner_key)
        assert_error(old, 404, "bad_route")


def test_the_prefix_setting_is_validated() -> None:
    for bad in ("", "etelecom", "/etelecom/", "/a b"):
        with pytest.raises(ValueError, match="etelecom_prefix"):
            Settings(etelecom_prefix=bad)


# --- keys -------------------------------------------------------------------------


def test_no_key_is_unauthenticated(et: Etelecom) -> None:
    body = assert_error(et.post("GetPartnerHotlineList", {}), 401, "unauthenticated")
    assert "Bearer" in body["msg"]
    assert_error(et.post("CreateTenant", {}), 401, "unauthenticated")


def test_a_bad_key_is_unauthenticated(et: Etelecom) -> None:
    assert_error(et.post("GetPartnerHotlineList", {}, key="vpbx_nope"), 401, "unauthenticated")
    basic = {"Authorization": "Basic dXNlcjpwYXNz"}
    assert_error(et.post("GetTenant", {}, headers=basic), 401, "unauthenticated")


def test_the_key_comes_before_the_body(et: Etelecom) -> None:
    response = et.post("GetPartnerHotlineList", content=b"{not json", key="vpbx_nope")
    assert_error(response, 401, "unauthenticated")


def test_a_shop_key_cannot_call_partner_methods(et: Etelecom, alice: Party) -> None:
    for method in ("GetPartnerHotlineList", "GetPartnerTenantList", "PartnerAddHotline"):
        response = et.post(method, {}, key=alice.tenant_key)
        assert_error(response, 403, "permission_denied")


def test_a_partner_key_alone_cannot_call_shop_methods(et: Etelecom, alice: Party) -> None:
    for method in ("CreateTenant", "GetExtensions", "GetDriverConfig"):
        body = assert_error(et.post(method, {}, key=alice.partner_key), 403, "permission_denied")
        assert "Vpbx-Tenant" in body["msg"]


def test_a_partner_key_acts_for_its_tenant(et: Etelecom, alice: Party) -> None:
    headers = {"Vpbx-Tenant": str(alice.tenant_id)}
    tenant = et.ok("GetTenant", {}, key=alice.partner_key, headers=headers)
    assert_shape(tenant, TENANT)
    assert tenant["id"] == str(alice.tenant_id)


def test_a_partner_key_cannot_act_for_another_partners_tenant(
    et: Etelecom, alice: Party, bob: Party
) -> None:
    headers = {"Vpbx-Tenant": str(bob.tenant_id)}
    response = et.post("GetTenant", {}, key=alice.partner_key, headers=headers)
    assert_error(response, 404, "not_found")
    bad = et.post("GetTenant", {}, key=alice.partner_key, headers={"Vpbx-Tenant": "x"})
    assert_error(bad, 400, "invalid_argument")


def test_errors_never_use_the_native_envelope(et: Etelecom, alice: Party) -> None:
    response = et.post("GetExtension", {"extension_id": "999"}, key=alice.tenant_key)
    body = assert_error(response, 404, "not_found")
    assert "type" not in body
    assert "detail" not in body
    assert body["meta"]["vpbx_code"] == "extension_not_found"
