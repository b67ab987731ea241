"""School development grants: calls and their changes, expressions of interest, applications
and their history, use-of-funds reports and follow-up rounds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from common.db import enum_check
from services.funding.db import Base
from services.funding.grants import clock
from services.funding.grants.schemas import ApplicationState, Eligible, ReportState


class Call(Base):
    """A call for applications, paid from one pool account."""

    __tablename__ = "grant_call"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="window_ordered"),
        CheckConstraint("max_amount_ore > 0", name="max_amount_positive"),
        CheckConstraint("min_schools >= 1 AND max_schools >= min_schools", name="schools_range"),
        enum_check("eligible", Eligible, name="eligible_known"),
        CheckConstraint(
            "report_due_at IS NULL OR report_due_at > closes_at", name="report_due_after_window"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    pool_account: Mapped[str] = mapped_column(
        String(100), ForeignKey("funding.account.code"), index=True
    )
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    max_amount_ore: Mapped[int] = mapped_column(BigInteger)
    min_schools: Mapped[int] = mapped_column(SmallInteger)
    max_schools: Mapped[int] = mapped_column(SmallInteger)
    eligible: Mapped[str] = mapped_column(String(20))
    methods: Mapped[str | None] = mapped_column(String(500))
    requires_interest: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    rolling: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    report_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(64))

    @property
    def year(self) -> int:
        """The call's year: its pool account's (an account's code begins with its year)."""
        return int(self.pool_account.split(".", 1)[0])

    def is_open(self, now: datetime | None = None) -> bool:
        """Whether the call takes applications now (or at `now`): in [opens_at, closes_at)."""
        now = now or clock.now()
        return self.opens_at <= now < self.closes_at


class CallChange(Base):
    """One change of a call: its fields before and after, by whom, when, in which request, why."""

    __tablename__ = "grant_call_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("funding.grant_call.id"), index=True)
    before: Mapped[dict[str, object]] = mapped_column(JSONB)
    after: Mapped[dict[str, object]] = mapped_column(JSONB)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class FollowUp(Base):
    """A follow-up round of a call (as in 2021): its granted organisers report by `due_at`."""

    __tablename__ = "grant_follow_up"
    __table_args__ = (
        UniqueConstraint("call_id", "round"),
        CheckConstraint('"round" >= 1', name="round_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("funding.grant_call.id"))
    round: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(64))


class Interest(Base):
    """A non-binding expression of interest in a call."""

    __tablename__ = "grant_interest"
    __table_args__ = (UniqueConstraint("call_id", "organisation_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("funding.grant_call.id"))
    organisation_number: Mapped[str] = mapped_column(String(11))
    organiser_name: Mapped[str] = mapped_column(String(200))
    school_count: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(64))


class Application(Base):
    """An organiser's application; money figures beyond the decision come from its transfers."""

    __tablename__ = "grant_application"
    __table_args__ = (
        UniqueConstraint("call_id", "organisation_number"),
        CheckConstraint("requested_amount_ore > 0", name="requested_positive"),
        enum_check("state", ApplicationState, name="state_known"),
        CheckConstraint(
            "approved_amount_ore IS NULL OR approved_amount_ore > 0", name="approved_positive"
        ),
        CheckConstraint(
            "used_amount_ore IS NULL OR used_amount_ore >= 0", name="used_not_negative"
        ),
        CheckConstraint(
            "repayment_claim_ore IS NULL OR repayment_claim_ore >= 0", name="claim_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("funding.grant_call.id"), index=True)
    organisation_number: Mapped[str] = mapped_column(String(11), index=True)
    organiser_name: Mapped[str] = mapped_column(String(200))
    school_unit_codes: Mapped[list[str]] = mapped_column(ARRAY(String(8)))
    requested_amount_ore: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))
    approved_amount_ore: Mapped[int | None] = mapped_column(BigInteger)
    account: Mapped[str | None] = mapped_column(String(100), ForeignKey("funding.account.code"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    used_amount_ore: Mapped[int | None] = mapped_column(BigInteger)
    repayment_claim_ore: Mapped[int | None] = mapped_column(BigInteger)
    report: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(64))


class ApplicationEvent(Base):
    """One step in an application's history: what happened, by whom, when, in which request."""

    __tablename__ = "grant_application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("funding.grant_application.id"), index=True
    )
    event: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    amount_ore: Mapped[int | None] = mapped_column(BigInteger)
    transfer_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("funding.transfer.id"))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Report(Base):
    """An organiser's use-of-funds report on a grant (or, with `follow_up_id`, its report to a
    follow-up round), numbered per application; an admin approves or returns it."""

    __tablename__ = "grant_report"
    __table_args__ = (
        UniqueConstraint("application_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("used_amount_ore >= 0", name="used_not_negative"),
        CheckConstraint("staff_count >= 0 AND pupil_count >= 0", name="counts_not_negative"),
        enum_check("state", ReportState, name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding.grant_application.id"))
    number: Mapped[int] = mapped_column(SmallInteger)
    follow_up_id: Mapped[int | None] = mapped_column(
        ForeignKey("funding.grant_follow_up.id"), index=True
    )
    used_amount_ore: Mapped[int] = mapped_column(BigInteger)
    school_unit_codes: Mapped[list[str]] = mapped_column(ARRAY(String(8)))
    staff_count: Mapped[int] = mapped_column(Integer)
    pupil_count: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(200))
    activities: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(64))
