"""Reports of a plan for one period: values, narratives, and the history of their states."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from common.db import enum_check
from services.goals.db import Base
from services.goals.reports.schemas import ReportAction, ReportState


class Report(Base):
    """One report per plan and period; `version` counts its changes (the ETag)."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("plan_id", "period"),
        enum_check("state", ReportState, name="state"),
        CheckConstraint("period ~ '^[0-9]{4}(H[12])?$'", name="period"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    plan_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("goals.plan.id"))
    period: Mapped[str] = mapped_column(String(6))
    state: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReportValue(Base):
    """The value of one indicator in one report, in the column of the indicator's measure."""

    __tablename__ = "report_value"
    __table_args__ = (
        CheckConstraint(
            "num_nonnulls(integer_value, numerator, boolean_value, text_value) = 1",
            name="one_kind",
        ),
        CheckConstraint("(numerator IS NULL) = (denominator IS NULL)", name="fraction_pair"),
        CheckConstraint(
            "denominator > 0 AND numerator >= 0 AND numerator <= denominator",
            name="fraction_bounds",
        ),
        CheckConstraint("integer_value >= 0", name="count_not_negative"),
    )

    report_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("goals.report.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("goals.indicator.id"), primary_key=True, index=True
    )
    integer_value: Mapped[int | None] = mapped_column(BigInteger)
    numerator: Mapped[int | None] = mapped_column(BigInteger)
    denominator: Mapped[int | None] = mapped_column(BigInteger)
    boolean_value: Mapped[bool | None] = mapped_column(Boolean)
    text_value: Mapped[str | None] = mapped_column(Text)


class ReportNarrative(Base):
    """The narrative of one goal of the plan, in one report."""

    __tablename__ = "report_narrative"

    report_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("goals.report.id", ondelete="CASCADE"), primary_key=True
    )
    goal_code: Mapped[str] = mapped_column(
        String(16), ForeignKey("goals.goal.code"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)


class ReportEvent(Base):
    """One entry of a report's history: who did what, when, from which request, and why."""

    __tablename__ = "report_event"
    __table_args__ = (
        Index("ix_report_event_report_id_occurred_at", "report_id", "occurred_at"),
        enum_check("action", ReportAction, name="action"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    report_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("goals.report.id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str | None] = mapped_column(String(128))
    comment: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
