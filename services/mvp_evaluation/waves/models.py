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
from services.mvp_evaluation.waves.schemas import WaveAction, WaveKind


class Wave(Base):
    __tablename__ = "wave"
    __table_args__ = (
        UniqueConstraint("school_unit_code", "cohort", "kind"),
        enum_check("kind", WaveKind, name="kind_known"),
        CheckConstraint("respondents >= 0", name="respondents_not_negative"),
        CheckConstraint("next_position > respondents", name="positions_ahead"),
        CheckConstraint("(locked_at IS NULL) = (locked_by IS NULL)", name="lock_has_owner"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    school_unit_code: Mapped[str] = mapped_column(ForeignKey("school.school_unit_code"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    cohort: Mapped[str] = mapped_column(String(40), index=True)
    administered_on: Mapped[date] = mapped_column(Date)
    # Kept by the ingestion and batch deletion, under the wave's row lock.
    respondents: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # The next batch's first position: positions are never reused, so a deleted batch's
    # rows can never be confused with a later one's.
    next_position: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # A wave locked after cleaning takes no upload and loses no batch until an admin unlocks it.
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_by: Mapped[str | None] = mapped_column(String(64))


class WaveEvent(Base):
    """The wave's audit trail: a lock, an unlock, a batch deleted; who, when, why, in which
    request."""

    __tablename__ = "wave_event"
    __table_args__ = (enum_check("action", WaveAction, name="action_known"),)

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    batch_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(500))
    request_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
