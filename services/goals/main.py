"""The goals service: create_app, made by the common service builder."""

from common.app import AppInfo, ServiceFactory
from common.openapi import bilingual
from common.version import __version__
from services.goals.api import ROUTERS
from services.goals.config import get_settings
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


create_app = ServiceFactory(
    INFO, get_settings=get_settings, metadata=Base.metadata, routers=ROUTERS
)
"""The app, connecting as its own role to its own schema."""
