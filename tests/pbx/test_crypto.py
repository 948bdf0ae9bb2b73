"""The instance secret box (AES-GCM) and where its key comes from."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from vpbx.config import Settings
from vpbx.crypto import SecretBox, SecretKeyError, secret_box


def b64key(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(os.urandom(32))


@pytest.mark.parametrize("plain", ["Xy7kPq2mZt", "", "ünïcødé ✓", "x" * 1000])
def test_seal_open_round_trip(box: SecretBox, plain: str) -> None:
    token = box.seal(plain, context="extension:1:101")
    assert token.startswith("v1:")
    assert plain not in token.partition(":")[2] or plain == ""
    assert box.open(token, context="extension:1:101") == plain


def test_sealing_twice_gives_different_tokens(box: SecretBox) -> None:
    first = box.seal("Xy7kPq2mZt", context="c")
    second = box.seal("Xy7kPq2mZt", context="c")
    assert first != second  # a fresh nonce each time
    assert box.open(first, context="c") == box.open(second, context="c")


def test_wrong_context_does_not_open(box: SecretBox) -> None:
    token = box.seal("Xy7kPq2mZt", context="extension:1:101")
    for other in ["extension:1:102", "extension:2:101", "", "extension:1:101 "]:
        with pytest.raises(SecretKeyError):
            box.open(token, context=other)


def test_another_key_does_not_open(box: SecretBox) -> None:
    token = box.seal("Xy7kPq2mZt", context="c")
    with pytest.raises(SecretKeyError):
        SecretBox(os.urandom(32)).open(token, context="c")


def _flip(token: str, index: int) -> str:
    version, _, body = token.partition(":")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[index] ^= 0x01
    return f"{version}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize("index", [0, 11, 12, -1])  # nonce, ciphertext, tag
def test_tampered_token_does_not_open(box: SecretBox, index: int) -> None:
    token = box.seal("Xy7kPq2mZt", context="c")
    with pytest.raises(SecretKeyError):
        box.open(_flip(token, index), context="c")


def test_malformed_tokens_do_not_open(box: SecretBox) -> None:
    token = box.seal("Xy7kPq2mZt", context="c")
    version, _, body = token.partition(":")
    for bad in [
        "",
        "v1:",
        "v1:é",
        "v1:!!!!",
        "v1:" + "A" * 8,
        token[:-4],
        f"{version}:{base64.urlsafe_b64encode(base64.urlsafe_b64decode(body) + b'x').decode()}",
        "v2:" + body,
        body,
    ]:
        with pytest.raises(SecretKeyError):
            box.open(bad, context="c")


# --- the key ----------------------------------------------------------------------------


def test_configured_key_is_used(tmp_path: Path) -> None:
    raw = os.urandom(32)
    settings = Settings(
        database_url="sqlite://", secret_key=b64key(raw), secret_key_file=tmp_path / "k"
    )
    token = secret_box(settings).seal("Xy7kPq2mZt", context="c")
    assert SecretBox(raw).open(token, context="c") == "Xy7kPq2mZt"
    assert not (tmp_path / "k").exists()  # a configured key writes no file


def test_key_file_is_created_owner_only_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VPBX_SECRET_KEY", raising=False)
    path = tmp_path / "vpbx.key"
    settings = Settings(database_url="sqlite://", secret_key=None, secret_key_file=path)
    token = secret_box(settings).seal("Xy7kPq2mZt", context="c")
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(base64.urlsafe_b64decode(path.read_text().strip())) == 32
    before = path.read_text()
    again = Settings(database_url="sqlite://", secret_key=None, secret_key_file=path)
    assert secret_box(again).open(token, context="c") == "Xy7kPq2mZt"
    assert path.read_text() == before  # never regenerated


def test_existing_key_file_is_read(tmp_path: Path) -> None:
    raw = os.urandom(32)
    path = tmp_path / "vpbx.key"
    path.write_text(b64key(raw) + "\n")
    settings = Settings(database_url="sqlite://", secret_key=None, secret_key_file=path)
    token = secret_box(settings).seal("Xy7kPq2mZt", context="c")
    assert SecretBox(raw).open(token, context="c") == "Xy7kPq2mZt"


@pytest.mark.parametrize(
    "key",
    [
        "not base64 at all!",
        "é" * 44,
        b64key(os.urandom(16)),
        b64key(os.urandom(31)),
        b64key(os.urandom(33)),
        b64key(os.urandom(64)),
        "   ",
    ],
)
def test_bad_configured_key_is_refused(key: str, tmp_path: Path) -> None:
    settings = Settings(database_url="sqlite://", secret_key=key, secret_key_file=tmp_path / "k")
    with pytest.raises(SecretKeyError):
        secret_box(settings)


def test_bad_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vpbx.key"
    path.write_text(b64key(os.urandom(12)))
    settings = Settings(database_url="sqlite://", secret_key=None, secret_key_file=path)
    with pytest.raises(SecretKeyError):
        secret_box(settings)
