"""Survey waves: one administration of an instrument version at a school, in a cohort."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from common.db import enum_check
from services.mvp_evaluation.db import Base
from services.mvp_evaluation.waves.schemas import WaveKind


class Wave(Base):
    __tablename__ = "wave"
    __table_args__ = (
        UniqueConstraint("school_unit_code", "cohort", "kind"),
        enum_check("kind", WaveKind, name="kind_known"),
        CheckConstraint("respondents >= 0", name="respondents_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    school_unit_code: Mapped[str] = mapped_column(ForeignKey("school.school_unit_code"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    cohort: Mapped[str] = mapped_column(String(40), index=True)
    administered_on: Mapped[date] = mapped_column(Date)
    # Kept by the ingestion, under the wave's row lock: the next batch's first position.
    respondents: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
