"""Comments on a report, or on one of its values: a conversation between the county's RSS
and SKR's admins."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from services.goals.db import Base


class ReportComment(Base):
    """One comment: on the report, or on the value of one indicator (`indicator_id`)."""

    __tablename__ = "report_comment"
    __table_args__ = (Index("ix_report_comment_report_id_created_at", "report_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    report_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("goals.report.id", ondelete="CASCADE")
    )
    indicator_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("goals.indicator.id"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    author_role: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
