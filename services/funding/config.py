"""Settings of the funding service (prefix KVF_FUNDING_)."""

from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from pydantic import AwareDatetime, Field
from pydantic_settings import SettingsConfigDict

from common.app import settings_of
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

    clock_start: AwareDatetime | None = Field(
        default=None,
        description="Run the grants' clock from this moment (RFC 3339, e.g. "
        "2019-09-02T09:00:00+02:00) for a training or demonstration system, so that the "
        "agreement's calls can be open; unset, the wall clock.",
    )

    @property
    def programme_years(self) -> range:
        """The years accounts may be opened for (first_year..last_year)."""
        return range(self.first_year, self.last_year + 1)


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(settings_of(Settings))]
"""The settings the app was made with (`create_app(settings)`), in a route."""
