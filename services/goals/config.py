"""Settings of the goals service (prefix KVF_GOALS_)."""

from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from pydantic_settings import SettingsConfigDict

from common.app import settings_of
from common.settings import AppSettings


class Settings(AppSettings):
    model_config = SettingsConfigDict(env_prefix="KVF_GOALS_", extra="ignore")

    port: int = 8002


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(settings_of(Settings))]
"""The settings the app was made with (`create_app(settings)`), in a route."""
