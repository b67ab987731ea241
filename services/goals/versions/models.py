"""Versions of a report: what its values and narratives were when it was submitted or
approved, kept for good (a reopened and edited report makes a new version, never changes one)."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from common.db import enum_check
from services.goals.db import Base
from services.goals.versions.schemas import VersionKind


class ReportVersion(Base):
    """Version `number` (1, 2, ...) of a report: its content as submitted or approved.

    `content` is `{"values": [{"indicator_id", "integer_value", "numerator", "denominator",
    "boolean_value", "text_value"}], "narratives": {goal_code: text}}`: the columns of
    `report_value` and `report_narrative` as they were.
    """

    __tablename__ = "report_version"
    __table_args__ = (
        enum_check("kind", VersionKind, name="kind"),
        CheckConstraint("number >= 1", name="number"),
    )

    report_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("goals.report.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    report_version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_by: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
