"""Settings of the funding service (prefix KVF_FUNDING_)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from common.settings import AppSettings


class Settings(AppSettings):
    model_config = SettingsConfigDict(env_prefix="KVF_FUNDING_", extra="ignore")

    port: int = 8001
    first_year: int = Field(
        default=2018, ge=2000, le=2100, description="First year accounts may be opened for."
    )
    last_year: int = Field(
        default=2020,
        ge=2000,
        le=2100,
        description="Last year accounts may be opened for (the agreement runs 2018-2020).",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
