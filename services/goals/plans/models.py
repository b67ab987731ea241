"""A county's plan for one year, and the goals it works on."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.goals.db import Base


class Plan(Base):
    """One plan per county and year."""

    __tablename__ = "plan"
    __table_args__ = (
        UniqueConstraint("county_code", "year"),
        CheckConstraint("year BETWEEN 2018 AND 2100", name="year"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(2))
    year: Mapped[int] = mapped_column(SmallInteger)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PlanGoal(Base):
    """A goal the plan works on."""

    __tablename__ = "plan_goal"

    plan_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("goals.plan.id", ondelete="CASCADE"), primary_key=True
    )
    goal_code: Mapped[str] = mapped_column(
        String(16), ForeignKey("goals.goal.code"), primary_key=True, index=True
    )
