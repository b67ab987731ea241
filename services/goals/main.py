"""The goals service: create_app() and its lifespan."""

from fastapi import FastAPI

from common.app import AppInfo, service_app
from common.auth import KeySet
from common.openapi import bilingual
from common.version import __version__
from services.goals.api import ROUTERS
from services.goals.config import Settings, get_settings
from services.goals.models import Base

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
    return service_app(
        INFO,
        settings=settings or get_settings(),
        metadata=Base.metadata,
        routers=ROUTERS,
        keys=keys,
    )
