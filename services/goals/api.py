"""The domain routers of the goals service, served under /goals/v1."""

from services.goals.catalogue.router import router as catalogue
from services.goals.comments.router import router as comments
from services.goals.imports.router import router as imports
from services.goals.national.router import router as national
from services.goals.organisation_units.router import router as organisation_units
from services.goals.periods.router import router as periods
from services.goals.plans.router import router as plans
from services.goals.progress.router import router as progress
from services.goals.reports.router import router as reports
from services.goals.versions.router import router as versions

ROUTERS = (
    catalogue,
    national,
    organisation_units,
    plans,
    imports,
    reports,
    versions,
    comments,
    periods,
    progress,
)
