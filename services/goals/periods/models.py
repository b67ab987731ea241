"""Reporting periods: a period counties report on, opened by an admin with a deadline."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.goals.db import Base


class ReportingPeriod(Base):
    """One period (`2019`, `2019H1`, `2019H2`) and the deadline of its reports."""

    __tablename__ = "reporting_period"
    __table_args__ = (CheckConstraint("period ~ '^[0-9]{4}(H[12])?$'", name="period"),)

    period: Mapped[str] = mapped_column(String(6), primary_key=True)
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
