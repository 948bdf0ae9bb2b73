"""Instance settings: one object, `VPBX_` environment variables, defaults that need nothing."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of an instance. The defaults run a working instance on SQLite."""

    model_config = SettingsConfigDict(env_prefix="VPBX_", extra="ignore")

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path.cwd() / 'vpbx.db'}",
        description="SQLAlchemy URL; postgresql://… is accepted as given.",
    )
    host: str = "127.0.0.1"
    port: int = 8080
    reservation_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    max_reservations_per_tenant: int = Field(default=1000, ge=1)
    min_purchase_months: int = Field(default=1, ge=1)
    max_purchase_months: int = Field(default=120, ge=1)
    aging_days: int = Field(default=30, ge=0, description="Quarantine after release.")
    idempotency_hours: int = Field(default=24, ge=1)
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    db_pool_size: int = Field(default=10, ge=1)
    page_size_max: int = Field(default=200, ge=1)
    secret_key: str | None = Field(
        default=None,
        description="Base64 of 32 random bytes that encrypts stored SIP passwords. Every API "
        "node must share it; without it the key file below is read, or created.",
    )
    secret_key_file: Path = Field(default_factory=lambda: Path.cwd() / "vpbx.key")
    sip_domain_suffix: str = "vpbx.local"
    outbound_proxy: str = "wss://127.0.0.1:8443"
    default_extension_length: int = Field(default=3, ge=3, le=6)
    default_country: str = Field(
        default="VN", pattern="^[A-Z]{2}$", description="For numbers dialled in national form."
    )
    # --- provider dialects ---
    etelecom_prefix: str = Field(
        default="/etelecom/api",
        pattern=r"^(/[A-Za-z0-9._~-]+)+$",
        description="Path before `.Etelecom/<Method>`: an eTelecom client's BASE_URL is this "
        "instance's URL plus this prefix.",
    )
    # --- carrier packages by one-time code (the OTP key is derived from secret_key) ---
    otp_ttl_seconds: int = Field(default=300, ge=30, le=3600, description="Life of a code.")
    otp_max_attempts: int = Field(
        default=5, ge=1, le=20, description="Wrong codes an order takes before it fails."
    )
    otp_resend_cooldown_seconds: int = Field(
        default=60, ge=0, le=3600, description="Least time between two codes to one phone."
    )
    otp_phone_limit_per_hour: int = Field(default=5, ge=1, description="Codes a phone may get.")
    otp_key_limit_per_minute: int = Field(
        default=30, ge=1, description="Codes one API key may have sent per minute."
    )
    otp_sender: str = Field(
        default="VPBX", min_length=1, max_length=11, description="Sender name of code SMS."
    )
    carrier_connector: Literal["builtin", "http"] = Field(
        default="builtin",
        description="builtin: vpbx issues and checks the codes itself and sends them by SMS; "
        "http: a carrier endpoint (carrier_url) does.",
    )
    carrier_url: str | None = Field(default=None, description="Base URL of the carrier API.")
    carrier_token: str | None = Field(default=None, description="Bearer token for carrier_url.")
    carrier_timeout_s: float = Field(default=10.0, gt=0, le=120)
    carrier_retries: int = Field(default=2, ge=0, le=5, description="Retries where safe.")
    # --- SMS ---
    sms_gateway: Literal["outbox", "http"] = Field(
        default="outbox",
        description="outbox: messages are kept for an operator to read (`vpbx sms outbox`); "
        "http: posted to sms_gateway_url, delivery reports come back on a callback.",
    )
    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = Field(default=None, description="Bearer token, if any.")
    sms_gateway_timeout_s: float = Field(default=10.0, gt=0, le=120)
    sms_gateway_retries: int = Field(default=2, ge=0, le=5)
    public_url: str | None = Field(
        default=None,
        description="How the SMS gateway reaches this instance for delivery reports; "
        "default http://<host>:<port>.",
    )
    sms_max_parts: int = Field(default=10, ge=1, le=255, description="Longest message, in parts.")
    sms_templates_need_approval: bool = Field(
        default=False,
        description="New templates wait for `vpbx sms templates approve` before use.",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
