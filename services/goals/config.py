"""Settings of the goals service (prefix KVF_GOALS_)."""

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from common.settings import AppSettings


class Settings(AppSettings):
    model_config = SettingsConfigDict(env_prefix="KVF_GOALS_", extra="ignore")

    port: int = 8002


@lru_cache
def get_settings() -> Settings:
    return Settings()
