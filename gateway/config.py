"""Settings of the gateway (prefix KVF_GATEWAY_): its route table and upstream timeouts."""

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from common.app import settings_of
from common.settings import AppSettings

MAX_TOKEN_TTL_SECONDS = 86_400
"""The longest token lifetime the gateway may be set to; revocations older than this (and a
margin) are no longer published, since no token they concern can still be valid."""


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
    connect_timeout: float = Field(
        default=5.0,
        gt=0,
        description="Seconds to connect upstream; a refused connection is 503 at once.",
    )
    read_timeout: float = Field(
        default=30.0, gt=0, description="Seconds an upstream may take to answer (then 504)."
    )
    write_timeout: float = Field(
        default=60.0,
        gt=0,
        description="Seconds to send a body chunk to an in-process upstream (aiohttp has none).",
    )
    pool_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a request waits for one of the upstream's connections when all "
        "are busy (then 504; nothing was sent, so a retry is safe).",
    )
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
    token_ttl_seconds: int = Field(default=900, ge=60, le=MAX_TOKEN_TTL_SECONDS)
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins of a client id from one address, then lockout."
    )
    login_window_seconds: int = Field(default=900, ge=1)
    login_lockout_seconds: int = Field(default=900, ge=1)
    rate_limit_per_second: float = Field(
        default=200.0,
        gt=0,
        description="Requests per second per client (per address without a token), unless "
        "the client has its own limit.",
    )
    rate_limit_burst: int = Field(
        default=400, ge=1, description="How many requests may come at once (the bucket's size)."
    )
    rate_limit_store: Literal["postgres", "memory"] = Field(
        default="postgres",
        description="Where the rate limits' buckets are kept: `postgres` (the gateway's schema, "
        "one limit for every gateway process) or `memory` (each process its own).",
    )
    max_json_bytes: int = Field(default=1_048_576, ge=1024, description="Largest non-upload body.")
    max_upload_bytes: int = Field(default=536_870_912, ge=1024, description="Largest upload body.")
    upload_paths: list[str] = Field(
        default=[r"^/mvp-evaluation/v1/waves/[^/]+/responses$", r"^/goals/v1/reports/import$"],
        description="Path patterns (regex) that take uploads up to max_upload_bytes.",
    )
    cors_origins: list[str] = Field(default=[], description="Origins allowed by CORS; none.")
    trusted_proxies: list[str] = Field(
        default=[],
        description='Addresses or networks (JSON list, e.g. ["10.0.0.0/8"]) of proxies in front '
        "of the gateway whose X-Forwarded-For / X-Real-IP name the client; none by default, so "
        "the client is the TCP peer.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # ValueError: not an address or network
        return value

    def keyring_path(self) -> Path:
        return Path(self.signing_keys_file or Path(self.platform.home) / "signing-keys.json")


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(settings_of(Settings))]
"""The settings the gateway was made with (`create_app(settings)`), in a route."""
