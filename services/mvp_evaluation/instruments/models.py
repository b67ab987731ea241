"""Questionnaires (instruments) in versions, and their items, as in a REDCap data dictionary."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.mvp_evaluation.db import Base


class Instrument(Base):
    """One version of a questionnaire; its items are fixed once a wave of it has data."""

    __tablename__ = "instrument"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(50))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    items: Mapped[list[Item]] = relationship(
        lazy="raise", order_by="Item.position", cascade="all, delete-orphan"
    )


class Item(Base):
    """One question: its position in the instrument is its place in each answers array."""

    __tablename__ = "item"
    __table_args__ = (
        UniqueConstraint("instrument_id", "code"),
        CheckConstraint("min < max", name="range_ordered"),
        CheckConstraint("position >= 1", name="position_positive"),
    )

    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instrument.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(1000))
    min: Mapped[int] = mapped_column(SmallInteger)
    max: Mapped[int] = mapped_column(SmallInteger)
    reverse: Mapped[bool] = mapped_column(Boolean)
    scale: Mapped[str] = mapped_column(String(64))
