"""The mvp-evaluation service: create_app() and its lifespan."""

from fastapi import FastAPI

from common.app import AppInfo, build_app, database_lifespan_for
from common.auth import KeySet
from common.openapi import bilingual
from common.settings import app_database_url
from common.version import __version__
from services.mvp_evaluation.api import router
from services.mvp_evaluation.config import Settings, get_settings
from services.mvp_evaluation.db import SCHEMA

INFO = AppInfo(
    name="mvp-evaluation",
    title="MVP-utvärdering / MVP evaluation",
    version=__version__,
    description=bilingual(
        "Enkätdata från skolor som arbetar med Mentors in Violence Prevention, "
        "och effektstorlekar.",
        "Survey data from schools working with Mentors in Violence Prevention, and effect sizes.",
    ),
)


def create_app(settings: Settings | None = None, *, keys: KeySet | None = None) -> FastAPI:
    """The mvp-evaluation app, connecting as its own role to schema `mvp_evaluation`."""
    settings = settings or get_settings()
    lifespan = database_lifespan_for(
        lambda: app_database_url(settings, SCHEMA), pool_size=settings.db_pool_size
    )
    app = build_app(INFO, lifespan=lifespan, routers=[router], keys=keys)
    app.state.settings = settings
    return app
