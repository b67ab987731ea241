"""Every ORM model of the funding service, imported so that Alembic sees them all."""

from common.idempotency import idempotency_table
from services.funding.accounts.models import Account
from services.funding.audit.models import AuditEvent
from services.funding.db import Base
from services.funding.grants.models import Application, ApplicationEvent, Call, Interest
from services.funding.transfers.models import Transfer

idempotency_key = idempotency_table(Base.metadata)

__all__ = [
    "Account",
    "Application",
    "ApplicationEvent",
    "AuditEvent",
    "Base",
    "Call",
    "Interest",
    "Transfer",
    "idempotency_key",
]
