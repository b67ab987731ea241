"""Indicators: what a plan measures for one of its goals, with baseline and target."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from common.db import enum_check
from services.goals.db import Base
from services.goals.indicators.measures import Direction, Measure


class Indicator(Base):
    """One indicator of one goal in one plan; its values come in the plan's reports. A
    national indicator taken into the plan has its `national_code` (once per plan).

    Baseline and target are kept in the column of their kind: a number (count, percentage in
    per cent), a flag (boolean) or a text.
    """

    __tablename__ = "indicator"
    __table_args__ = (
        ForeignKeyConstraint(
            ["plan_id", "goal_code"], ["goals.plan_goal.plan_id", "goals.plan_goal.goal_code"]
        ),
        UniqueConstraint("plan_id", "goal_code", "name"),
        UniqueConstraint("plan_id", "national_code"),
        enum_check("measure", Measure, name="measure"),
        enum_check("direction", Direction, name="direction"),
        CheckConstraint(
            "num_nonnulls(baseline_number, baseline_flag, baseline_text) <= 1", name="baseline"
        ),
        CheckConstraint(
            "num_nonnulls(target_number, target_flag, target_text) <= 1", name="target"
        ),
        CheckConstraint("baseline_number >= 0 AND target_number >= 0", name="numbers_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    plan_id: Mapped[int] = mapped_column(BigInteger, index=True)
    goal_code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    measure: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str | None] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(50))
    national_code: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("goals.national_indicator.code"), index=True
    )
    baseline_number: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    baseline_flag: Mapped[bool | None] = mapped_column(Boolean)
    baseline_text: Mapped[str | None] = mapped_column(Text)
    target_number: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    target_flag: Mapped[bool | None] = mapped_column(Boolean)
    target_text: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
