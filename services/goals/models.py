"""Every ORM model of the goals service, imported so that Alembic sees them all."""

from common.idempotency import idempotency_table
from services.goals.catalogue.models import Goal
from services.goals.db import Base
from services.goals.indicators.models import Indicator
from services.goals.plans.models import Plan, PlanGoal
from services.goals.reports.models import Report, ReportEvent, ReportNarrative, ReportValue

idempotency_key = idempotency_table(Base.metadata)

__all__ = [
    "Base",
    "Goal",
    "Indicator",
    "Plan",
    "PlanGoal",
    "Report",
    "ReportEvent",
    "ReportNarrative",
    "ReportValue",
    "idempotency_key",
]
