"""Survey responses: one row per respondent and wave, the answers in item order.

`answers[i]` is the answer to the item at position i of the wave's instrument version
(NULL when missing). One row of 30 answers takes about 150 bytes, against about 1.3 kB as
30 rows of one answer each, and COPY writes it in one tuple.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from common.db import enum_check
from services.mvp_evaluation.db import Base
from services.mvp_evaluation.responses.schemas import MediaFormat


class Response(Base):
    __tablename__ = "response"

    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), primary_key=True)
    respondent: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Order of arrival within the wave (1, 2, ...), so an export returns the rows as imported.
    position: Mapped[int] = mapped_column(Integer)
    answers: Mapped[list[int | None]] = mapped_column(ARRAY(SmallInteger))


class ResponseImport(Base):
    """One accepted batch, as DHIS2 keeps import summaries: who, when, how many, which rows."""

    __tablename__ = "response_import"
    __table_args__ = (
        enum_check("format", MediaFormat, name="format_known"),
        CheckConstraint("rows >= 1", name="rows_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(4))
    first_position: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    request_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    file_name: Mapped[str | None] = mapped_column(String(255))
    # The body's SHA-256 (hex); null for batches stored before it was kept.
    sha256: Mapped[str | None] = mapped_column(String(64))
    # A deleted batch keeps its row (who deleted it, when, why); its respondents are gone.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_by: Mapped[str | None] = mapped_column(String(64))
    delete_reason: Mapped[str | None] = mapped_column(String(500))


class ScaleScore(Base):
    """The scale scores of a part of one accepted batch (its rows from wave position
    `position` on) on one scale, computed when it was stored (`responses.scores`): per row, in
    order, a float8 (NaN when missing) and the respondent's 16-byte key. Effects read a few
    of these rows instead of recomputing every pupil's score from the answers."""

    __tablename__ = "scale_score"
    __table_args__ = (
        CheckConstraint("length(scores) = length(respondent_keys) / 2", name="lengths_agree"),
    )

    import_id: Mapped[int] = mapped_column(
        ForeignKey("response_import.id", ondelete="CASCADE"), primary_key=True
    )
    scale: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    respondent_keys: Mapped[bytes] = mapped_column(LargeBinary)
    scores: Mapped[bytes] = mapped_column(LargeBinary)
