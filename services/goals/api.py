"""Every route of the goals service, under /goals/v1."""

from fastapi import APIRouter

from services.goals.catalogue.router import router as catalogue
from services.goals.imports.router import router as imports
from services.goals.organisation_units.router import router as organisation_units
from services.goals.plans.router import router as plans
from services.goals.progress.router import router as progress
from services.goals.reports.router import router as reports

router = APIRouter(prefix="/goals/v1")
router.include_router(catalogue)
router.include_router(organisation_units)
router.include_router(plans)
router.include_router(imports)
router.include_router(reports)
router.include_router(progress)
