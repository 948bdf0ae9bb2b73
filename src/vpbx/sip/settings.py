"""The SIP server's settings: `VPBX_SIP_` environment variables, defaults on loopback.

Kept apart from the instance `Settings` because only `vpbx sip ...`, the `/v1/sip`
endpoints and the registration notifier read them.
"""

from __future__ import annotations

import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# What may stand in a URL's user-info and in a Kamailio string without quoting.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_.~-]{16,128}")


class SipSettings(BaseSettings):
    """Where Kamailio listens, where it finds vpbx, and the secret it proves itself with."""

    model_config = SettingsConfigDict(env_prefix="VPBX_SIP_", extra="ignore")

    token: str | None = Field(
        default=None,
        description="The SIP server's credential for /v1/sip/*; without it the token file "
        "is read, or created.",
    )
    token_file: Path = Field(default_factory=lambda: Path.cwd() / "vpbx-sip.token")
    control_socket: Path | None = Field(
        default=None,
        description="Kamailio's JSON-RPC datagram socket; unset: vpbx does not talk to a "
        "SIP server (no registration drops, no registration listing).",
    )
    listen: str = "127.0.0.1"
    port: int = Field(default=5060, ge=1, le=65535)
    tcp: bool = True
    api_url: str = Field(
        default="http://127.0.0.1:8080", description="Where Kamailio reaches vpbx's API."
    )
    run_dir: Path = Field(default_factory=lambda: Path.cwd() / "kamailio")
    children: int = Field(default=4, ge=1, le=64)
    max_expires: int = Field(default=3600, ge=60, le=86400)
    credential_cache_s: int = Field(
        default=300,
        ge=0,
        le=3600,
        description="How long Kamailio keeps an account's digest hash in memory at most "
        "(vpbx invalidates it on every change; this bounds a lost invalidation); 0 reads "
        "the accounts view on every authenticated request.",
    )
    rpc_timeout_s: float = Field(default=1.0, gt=0, le=30)
    shared_memory_mb: int = Field(
        default=256,
        ge=32,
        le=65536,
        description="Kamailio's shared memory (-m): every transaction, dialog and queued "
        "call outcome lives there; 64 MB runs out near 400 call set-ups per second.",
    )
    overload_reserve_percent: int = Field(
        default=25,
        ge=0,
        le=100,
        description="New calls are refused (503 with Retry-After) while less than this "
        "part of the shared memory is free, so calls in progress can finish and be "
        "recorded; 0 never refuses, 100 refuses every new call (draining the server).",
    )
    max_calls_per_s: int = Field(
        default=0,
        ge=0,
        le=100_000,
        description="New calls routed per second at most (after authentication, before "
        "the route decision); beyond it 503 with Retry-After. 0: no cap. Set it below what "
        "the machine sustains (see the SIP benchmark): past its CPU, nothing else sheds.",
    )
    private_memory_mb: int = Field(
        default=8, ge=4, le=1024, description="Kamailio's memory per process (-M)."
    )


@lru_cache(maxsize=1)
def get_sip_settings() -> SipSettings:
    return SipSettings()


def sip_token(settings: SipSettings) -> str:
    """The SIP server token: the setting, else the token file, created (0600) if missing."""
    if settings.token:
        token = settings.token.strip()
    else:
        path = settings.token_file
        if not path.exists():
            _create_token_file(path)
        token = path.read_text().strip()
    if not TOKEN_PATTERN.fullmatch(token):
        raise ValueError(
            "the SIP token must be 16-128 characters of A-Z a-z 0-9 _ . ~ - "
            "(VPBX_SIP_TOKEN or the token file)"
        )
    return token


def _create_token_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(32) + "\n")
