"""The goal catalogue: the programme's goals (A1–A3, K1–K5) and counties' own goals."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from common.db import enum_check
from services.goals.catalogue.schemas import GoalKind
from services.goals.db import Base


class Goal(Base):
    """One goal, by code. Programme goals come from a migration; a county's own from the API."""

    __tablename__ = "goal"
    __table_args__ = (
        enum_check("kind", GoalKind, name="kind"),
        CheckConstraint("(kind = 'county') = (county_code IS NOT NULL)", name="county_owner"),
    )

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    county_code: Mapped[str | None] = mapped_column(String(2), index=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
