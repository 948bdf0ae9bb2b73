"""Instance settings: one object, `VPBX_` environment variables, defaults that need nothing."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
