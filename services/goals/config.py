"""Settings of the goals service (prefix KVF_GOALS_)."""

from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from common.app import settings_of
from common.settings import AppSettings


class Settings(AppSettings):
    model_config = SettingsConfigDict(env_prefix="KVF_GOALS_", extra="ignore")

    port: int = 8002
    max_import_bytes: int = Field(
        default=33_554_432,
        ge=1024,
        description="The largest body POST /reports/import accepts (413 above).",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(settings_of(Settings))]
"""The settings the app was made with (`create_app(settings)`), in a route."""
