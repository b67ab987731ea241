"""The national indicator set: indicators defined once, taken by code into counties' plans."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from common.db import enum_check
from services.goals.db import Base
from services.goals.indicators.measures import Direction, Measure


class NationalIndicator(Base):
    """One national indicator of a programme goal; progress adds up its values by code."""

    __tablename__ = "national_indicator"
    __table_args__ = (
        enum_check("measure", Measure, name="measure"),
        enum_check("direction", Direction, name="direction"),
    )

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    goal_code: Mapped[str] = mapped_column(String(16), ForeignKey("goals.goal.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    measure: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str | None] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(50))
    numerator: Mapped[str | None] = mapped_column(String(500))
    denominator: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
