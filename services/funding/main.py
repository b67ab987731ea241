"""The funding service: create_app, made by the common service builder."""

from common.app import AppInfo, ServiceFactory
from common.openapi import bilingual
from common.version import __version__
from services.funding.api import ROUTERS
from services.funding.config import get_settings
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


create_app = ServiceFactory(
    INFO, get_settings=get_settings, metadata=Base.metadata, routers=ROUTERS
)
"""The app, connecting as its own role to its own schema."""
