"""Settings shared by every app; each app adds its own with its own prefix.

Nothing outside pydantic-settings reads the environment.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url


class PlatformSettings(BaseSettings):
    """Settings every process reads: where the database is, how to log."""

    model_config = SettingsConfigDict(env_prefix="KVF_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="Owner connection to the one database (creates roles and schemas). "
        "Unset: `kvf up` starts an embedded PostgreSQL.",
    )
    db_role_prefix: str = Field(
        default="kvf_",
        pattern=r"^[a-z][a-z0-9_]{0,20}$",
        description="Prefix of the per-app login roles (kvf_funding, kvf_goals, ...).",
    )
    log_level: str = Field(default="INFO", description="Python log level of every app.")
    home: str = Field(default=".kvf", description="Where `kvf up` keeps data, keys and logs.")
    jwks_url: str = Field(
        default="http://127.0.0.1:8000/auth/v1/jwks",
        description="Where each service fetches the gateway's public keys.",
    )


class AppSettings(BaseSettings):
    """Base of each app's settings; subclasses set `env_prefix` (KVF_FUNDING_, ...)."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="This app's own login. Unset: KVF_DATABASE_URL with the app's role.",
    )
    db_password: SecretStr | None = Field(
        default=None, description="Password of this app's login role, when the URL is derived."
    )
    db_pool_size: int = Field(default=10, ge=1, le=100)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    platform: PlatformSettings = Field(default_factory=PlatformSettings, exclude=True)


def asyncpg_url(url: str) -> URL:
    """The SQLAlchemy URL for asyncpg, whatever PostgreSQL URL form was given."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+asyncpg")


def role_name(prefix: str, schema: str) -> str:
    """The login role that owns one app's schema."""
    return f"{prefix}{schema}"


def app_database_url(settings: AppSettings, schema: str) -> URL:
    """The URL an app connects with: its own, or the owner URL with the app's role."""
    if settings.database_url:
        return asyncpg_url(settings.database_url)
    owner = settings.platform.database_url
    if not owner:
        raise RuntimeError(
            "No database configured: set KVF_DATABASE_URL (or run the system with `kvf up`)."
        )
    password = settings.db_password.get_secret_value() if settings.db_password else None
    return asyncpg_url(owner).set(
        username=role_name(settings.platform.db_role_prefix, schema), password=password
    )


@lru_cache
def get_platform_settings() -> PlatformSettings:
    return PlatformSettings()
