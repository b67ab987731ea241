"""Transfers: immutable rows in öre; the only change is pending → posted or voided."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from common.db import enum_check
from services.funding.db import Base
from services.funding.transfers.schemas import TransferKind, TransferState


class Transfer(Base):
    __tablename__ = "transfer"
    __table_args__ = (
        CheckConstraint("amount_ore > 0", name="amount_positive"),
        CheckConstraint("from_account <> to_account", name="not_to_self"),
        enum_check("kind", TransferKind, name="kind_known"),
        enum_check("state", TransferState, name="state_known"),
        CheckConstraint(
            "(kind = 'correction') = (corrects_id IS NOT NULL)", name="correction_has_original"
        ),
        CheckConstraint(
            "decision IS NULL OR decision IN ('original', 'supplementary')", name="decision_known"
        ),
        CheckConstraint(
            "(decision IS NULL) = (decided_on IS NULL) "
            "AND (decision IS NULL OR kind IN ('appropriation', 'allocation'))",
            name="decision_of_budget_moves",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_account: Mapped[str] = mapped_column(
        String(100), ForeignKey("funding.account.code"), index=True
    )
    to_account: Mapped[str] = mapped_column(
        String(100), ForeignKey("funding.account.code"), index=True
    )
    amount_ore: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(500))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("funding.transfer.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("funding.grant_application.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    created_by: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(128))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_on: Mapped[date | None] = mapped_column(Date)
