"""Schools taking part in the evaluation, each in the intervention or the comparison arm."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from common.db import enum_check
from services.mvp_evaluation.db import Base
from services.mvp_evaluation.schools.schemas import Arm


class School(Base):
    __tablename__ = "school"
    __table_args__ = (
        enum_check("arm", Arm, name="arm_known"),
        CheckConstraint("school_unit_code ~ '^[0-9]{8}$'", name="school_unit_code_eight_digits"),
    )

    school_unit_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_number: Mapped[str] = mapped_column(String(11), index=True)
    municipality_code: Mapped[str] = mapped_column(String(4))
    arm: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
