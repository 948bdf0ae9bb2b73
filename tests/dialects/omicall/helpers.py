"""Assertions on OMICall's envelope and on documented shapes."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Party

ENVELOPE_KEYS = {"status_code", "instance_id", "instance_version", "payload", "key_enabled"}
PAGE_KEYS = {
    "items",
    "page_number",
    "page_size",
    "total_items",
    "total_pages",
    "has_next",
    "next_page",
    "has_previous",
    "previous_page",
}


def _envelope(response: Any) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json"), response.text
    body: dict[str, Any] = response.json()
    assert body.keys() >= ENVELOPE_KEYS, body
    assert isinstance(body["instance_id"], str)
    assert isinstance(body["instance_version"], str)
    assert body["key_enabled"] is False
    return body


def ok(response: Any) -> Any:
    """The payload of a success (HTTP 200, status_code 9999)."""
    assert response.status_code == 200, response.text
    body = _envelope(response)
    assert body["status_code"] == 9999, body
    return body["payload"]


def fail(response: Any, error: str | None = None) -> dict[str, Any]:
    """The payload of a refusal: HTTP 200 (inferred), status_code -9999,
    payload {status: "fail", error, message}."""
    assert response.status_code == 200, response.text
    body = _envelope(response)
    assert body["status_code"] == -9999, body
    payload: dict[str, Any] = body["payload"]
    assert payload.keys() == {"status", "error", "message"}, payload
    assert payload["status"] == "fail"
    assert isinstance(payload["error"], str)
    assert payload["error"]
    assert isinstance(payload["message"], str)
    assert payload["message"]
    if error is not None:
        assert payload["error"] == error, payload
    return payload


def handled(response: Any) -> None:
    """Never a crash: a success or an OMICall refusal."""
    assert response.status_code == 200, response.text
    assert response.json()["status_code"] in (9999, -9999)


def assert_shape(actual: Any, documented: Any, path: str = "$") -> None:
    """`actual` has every field of `documented` with the same JSON type, recursively.

    A documented null accepts anything (the document does not show the type); a
    documented list checks every actual item against its first example item.
    """
    if documented is None:
        return
    if isinstance(documented, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in documented.items():
            assert key in actual, f"{path}: missing field {key!r} (has {sorted(actual)})"
            assert_shape(actual[key], value, f"{path}.{key}")
    elif isinstance(documented, list):
        assert isinstance(actual, list), f"{path}: expected an array, got {actual!r}"
        if documented:
            for index, item in enumerate(actual):
                assert_shape(item, documented[0], f"{path}[{index}]")
    elif isinstance(documented, bool):
        assert isinstance(actual, bool), f"{path}: expected a boolean, got {actual!r}"
    elif isinstance(documented, int | float):
        number = isinstance(actual, int | float) and not isinstance(actual, bool)
        assert number, f"{path}: expected a number, got {actual!r}"
        if isinstance(documented, int) and documented > 10**12:  # epoch milliseconds
            epoch_ms = isinstance(actual, int) and actual > 10**12
            assert epoch_ms, f"{path}: expected epoch milliseconds, got {actual!r}"
    else:
        assert isinstance(actual, type(documented)), (
            f"{path}: expected {type(documented).__name__}, got {actual!r}"
        )


def buy_v1(client: TestClient, party: Party, *numbers: str) -> None:
    response = client.post(
        "/v1/orders", json={"numbers": list(numbers), "months": 1}, headers=party.headers
    )
    assert response.status_code == 201, response.text


def v1_post(client: TestClient, party: Party, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body, headers=party.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created
