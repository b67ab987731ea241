"""The goals service: create_app() and its lifespan."""

from fastapi import FastAPI

from common.app import AppInfo, build_app, database_lifespan_for
from common.auth import KeySet
from common.openapi import bilingual
from common.settings import app_database_url
from common.version import __version__
from services.goals.api import router
from services.goals.config import Settings, get_settings
from services.goals.db import SCHEMA

INFO = AppInfo(
    name="goals",
    title="Kvinnofrid mål och uppföljning / goals",
    version=__version__,
    description=bilingual(
        "Mål, indikatorer och länens rapporter med granskning och låsning.",
        "Goals, indicators and the counties' reports, with review and locking.",
    ),
)


def create_app(settings: Settings | None = None, *, keys: KeySet | None = None) -> FastAPI:
    """The goals app, connecting as its own role to schema `goals`."""
    settings = settings or get_settings()
    lifespan = database_lifespan_for(
        lambda: app_database_url(settings, SCHEMA), pool_size=settings.db_pool_size
    )
    return build_app(INFO, lifespan=lifespan, routers=[router], keys=keys)
