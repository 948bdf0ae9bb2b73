"""The instance's secret box: AES-256-GCM for the few secrets vpbx must give back.

SIP passwords are stored as digest hashes for the SIP server, and encrypted here only
because documented provider APIs return them to their owner. The key comes from
VPBX_SECRET_KEY (all API nodes share it) or, with no configuration, from a key file
created once beside the working directory with owner-only permissions.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vpbx.config import Settings

_NONCE_BYTES = 12
_VERSION = "v1"


class SecretKeyError(RuntimeError):
    """The configured key is not 32 bytes of base64, or a ciphertext does not open."""


def _decode_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SecretKeyError("VPBX_SECRET_KEY must be base64 of 32 bytes") from exc
    if len(key) != 32:
        raise SecretKeyError("VPBX_SECRET_KEY must be base64 of 32 bytes")
    return key


@lru_cache(maxsize=8)
def _key_from_file(path: Path) -> bytes:
    if not path.exists():
        fresh = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        # O_EXCL: two processes starting at once must not both write a key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return _decode_key(path.read_text())
        with os.fdopen(fd, "w") as handle:
            handle.write(fresh + "\n")
    return _decode_key(path.read_text())


class SecretBox:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, *, context: str) -> str:
        """Encrypt; `context` (e.g. "extension:42") is bound in, so rows cannot be swapped."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return f"{_VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, token: str, *, context: str) -> str:
        version, _, body = token.partition(":")
        try:
            raw = base64.urlsafe_b64decode(body)
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
        except (binascii.Error, ValueError, InvalidTag) as exc:
            raise SecretKeyError("a stored secret does not open with this instance key") from exc
        if version != _VERSION:
            raise SecretKeyError(f"unknown secret format {version!r}")
        return plain.decode()


@lru_cache(maxsize=4)
def _box(key: bytes) -> SecretBox:
    return SecretBox(key)


def _instance_key(settings: Settings) -> bytes:
    if settings.secret_key:
        return _decode_key(settings.secret_key)
    return _key_from_file(settings.secret_key_file)


def secret_box(settings: Settings) -> SecretBox:
    return _box(_instance_key(settings))


@lru_cache(maxsize=16)
def _derive(key: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose.encode()).derive(key)


def derive_key(settings: Settings, purpose: str) -> bytes:
    """A 32-byte key for one purpose (e.g. signing access tokens), derived from the
    instance key with HKDF-SHA256: every API node derives the same one, and a key for
    one purpose tells nothing about the instance key or another purpose's key."""
    return _derive(_instance_key(settings), purpose)
