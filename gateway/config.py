"""Settings of the gateway (prefix KVF_GATEWAY_): its route table and upstream timeouts."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from common.app import settings_of
from common.settings import AppSettings


class Settings(AppSettings):
    model_config = SettingsConfigDict(env_prefix="KVF_GATEWAY_", extra="ignore")

    port: int = 8000
    upstreams: dict[str, str] = Field(
        default={
            "funding": "http://127.0.0.1:8001",
            "goals": "http://127.0.0.1:8002",
            "mvp-evaluation": "http://127.0.0.1:8003",
        },
        description="Route table: first path segment -> upstream base URL (JSON).",
    )
    connect_timeout: float = Field(default=1.0, gt=0, description="Seconds to connect upstream.")
    read_timeout: float = Field(
        default=30.0, gt=0, description="Seconds an upstream may take to answer (then 504)."
    )
    write_timeout: float = Field(default=60.0, gt=0, description="Seconds to send a body chunk.")
    pool_timeout: float = Field(default=2.0, gt=0, description="Seconds to wait for a connection.")
    max_connections: int = Field(default=100, ge=1, description="Connections per upstream.")
    ready_timeout: float = Field(default=2.0, gt=0, description="Seconds for an upstream's ready.")
    openapi_cache_seconds: float = Field(default=30.0, ge=0)

    signing_keys_file: str | None = Field(
        default=None,
        description="The signing keyring (JSON, mode 0600). Unset: <KVF_HOME>/signing-keys.json.",
    )
    signing_key: SecretStr | None = Field(
        default=None, description="An Ed25519 private key (PEM) instead of the keyring file."
    )
    previous_signing_key: SecretStr | None = Field(
        default=None, description="The key before `signing_key`, still published for verifying."
    )
    token_ttl_seconds: int = Field(default=900, ge=60, le=86400)
    login_max_failures: int = Field(default=5, ge=1, description="Failed logins before a lockout.")
    login_window_seconds: int = Field(default=900, ge=1)
    login_lockout_seconds: int = Field(default=900, ge=1)
    rate_limit_per_second: float = Field(default=20.0, gt=0, description="Per client (or IP).")
    rate_limit_burst: int = Field(default=100, ge=1)
    max_json_bytes: int = Field(default=1_048_576, ge=1024, description="Largest non-upload body.")
    max_upload_bytes: int = Field(default=536_870_912, ge=1024, description="Largest upload body.")
    upload_paths: list[str] = Field(
        default=[r"^/mvp-evaluation/v1/waves/[^/]+/responses$", r"^/goals/v1/reports/import$"],
        description="Path patterns (regex) that take uploads up to max_upload_bytes.",
    )
    cors_origins: list[str] = Field(default=[], description="Origins allowed by CORS; none.")

    def keyring_path(self) -> Path:
        return Path(self.signing_keys_file or Path(self.platform.home) / "signing-keys.json")


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(settings_of(Settings))]
"""The settings the gateway was made with (`create_app(settings)`), in a route."""
