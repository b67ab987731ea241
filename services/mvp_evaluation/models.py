"""Every ORM model of the mvp-evaluation service, imported so that Alembic sees them all."""

from common.idempotency import idempotency_table
from services.mvp_evaluation.db import Base
from services.mvp_evaluation.instruments.models import Instrument, Item
from services.mvp_evaluation.responses.models import Response, ResponseImport, ScaleScore
from services.mvp_evaluation.schools.models import School
from services.mvp_evaluation.waves.models import Wave

idempotency_key = idempotency_table(Base.metadata)

__all__ = [
    "Base",
    "Instrument",
    "Item",
    "Response",
    "ResponseImport",
    "ScaleScore",
    "School",
    "Wave",
    "idempotency_key",
]
