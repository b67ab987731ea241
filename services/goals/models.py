"""Every ORM model of the goals service, imported so that Alembic sees them all."""

from common.idempotency import idempotency_table
from services.goals.catalogue.models import Goal
from services.goals.comments.models import ReportComment
from services.goals.db import Base
from services.goals.indicators.models import Indicator
from services.goals.national.models import NationalIndicator
from services.goals.periods.models import ReportingPeriod
from services.goals.plans.models import Plan, PlanGoal
from services.goals.reports.models import Report, ReportEvent, ReportNarrative, ReportValue
from services.goals.versions.models import ReportVersion

idempotency_key = idempotency_table(Base.metadata)

__all__ = [
    "Base",
    "Goal",
    "Indicator",
    "NationalIndicator",
    "Plan",
    "PlanGoal",
    "Report",
    "ReportComment",
    "ReportEvent",
    "ReportNarrative",
    "ReportValue",
    "ReportVersion",
    "ReportingPeriod",
    "idempotency_key",
]
