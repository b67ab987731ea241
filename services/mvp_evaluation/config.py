"""Settings of the mvp-evaluation service (prefix KVF_MVP_EVALUATION_)."""

from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from common.app import settings_of
from common.settings import AppSettings


class Settings(AppSettings):
    # populate_by_name: tests and scripts may pass `min_cell_size=` although its variable is
    # the platform-wide KVF_MIN_CELL_SIZE.
    model_config = SettingsConfigDict(
        env_prefix="KVF_MVP_EVALUATION_", extra="ignore", populate_by_name=True
    )

    port: int = 8003
    min_cell_size: int = Field(
        default=10,
        ge=1,
        validation_alias="KVF_MIN_CELL_SIZE",
        description="Figures from fewer respondents are suppressed for roles other than "
        "evaluator and admin (platform-wide).",
    )
    max_upload_bytes: int = Field(
        default=536_870_912,
        ge=1024,
        description="The largest body POST /waves/{id}/responses accepts (413 above).",
    )
    max_rows: int = Field(
        default=1_000_000,
        ge=1,
        description="The most respondents one batch may carry (413 above).",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(settings_of(Settings))]
"""The settings the app was made with (`create_app(settings)`), in a route."""
