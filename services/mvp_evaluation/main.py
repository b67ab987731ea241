"""The mvp-evaluation service: create_app, made by the common service builder."""

from common.app import AppInfo, ServiceFactory
from common.openapi import bilingual
from common.version import __version__
from services.mvp_evaluation.api import ROUTERS
from services.mvp_evaluation.config import get_settings
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


create_app = ServiceFactory(
    INFO, get_settings=get_settings, metadata=Base.metadata, routers=ROUTERS
)
"""The app, connecting as its own role to its own schema."""
