"""The mvp-evaluation service: create_app() and its lifespan."""

from fastapi import FastAPI

from common.app import AppInfo, service_app
from common.auth import KeySet
from common.openapi import bilingual
from common.version import __version__
from services.mvp_evaluation.api import ROUTERS
from services.mvp_evaluation.config import Settings, get_settings
from services.mvp_evaluation.models import Base

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
    return service_app(
        INFO,
        settings=settings or get_settings(),
        metadata=Base.metadata,
        routers=ROUTERS,
        keys=keys,
    )
