"""Accounts: a tree per year; balances change only through transfers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from common.db import enum_check
from services.funding.accounts.schemas import AccountKind
from services.funding.db import Base


class Account(Base):
    __tablename__ = "account"
    __table_args__ = (
        enum_check("kind", AccountKind, name="kind_known"),
        CheckConstraint(
            "(kind = 'county') = (county_code IS NOT NULL)", name="county_code_only_for_county"
        ),
        CheckConstraint(
            "(kind = 'organiser') = (organisation_number IS NOT NULL)",
            name="organisation_number_only_for_organiser",
        ),
        CheckConstraint(
            "credited_ore >= 0 AND debited_ore >= 0 AND pending_ore >= 0",
            name="balances_not_negative",
        ),
        # The last guard: whatever the code does, no account but a source goes below zero.
        CheckConstraint(
            "kind = 'source' OR credited_ore - debited_ore - pending_ore >= 0",
            name="no_overspend",
        ),
        CheckConstraint("parent_code <> code", name="not_own_parent"),
        Index("ix_account_year_kind", "year", "kind"),
    )

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(
        String(100), ForeignKey("funding.account.code"), index=True
    )
    county_code: Mapped[str | None] = mapped_column(String(2), index=True)
    organisation_number: Mapped[str | None] = mapped_column(String(11), index=True)
    credited_ore: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    debited_ore: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    pending_ore: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(64))

    @property
    def available_ore(self) -> int:
        return self.credited_ore - self.debited_ore - self.pending_ore
