"""The funding service: create_app() and its lifespan."""

from fastapi import FastAPI

from common.app import AppInfo, service_app
from common.auth import KeySet
from common.openapi import bilingual
from common.version import __version__
from services.funding.api import ROUTERS
from services.funding.config import Settings, get_settings
from services.funding.models import Base

INFO = AppInfo(
    name="funding",
    title="Kvinnofrid finansiering / funding",
    version=__version__,
    description=bilingual(
        "Programmets pengar i öre: en dubbel bokföring som aldrig kan överskrida sina medel, "
        "fördelningar till länens RSS och utvecklingsmedel till skolhuvudmän.",
        "The programme's money in öre: a double-entry ledger that can never overspend, "
        "distributions to the counties' RSS and development grants to school organisers.",
    ),
)


def create_app(settings: Settings | None = None, *, keys: KeySet | None = None) -> FastAPI:
    """The funding app, connecting as its own role to schema `funding`."""
    return service_app(
        INFO,
        settings=settings or get_settings(),
        metadata=Base.metadata,
        routers=ROUTERS,
        keys=keys,
    )
