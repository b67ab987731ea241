"""API clients: who may ask for a token, with which role and scope."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base


class ApiClient(Base):
    __tablename__ = "api_client"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'rss', 'organiser', 'evaluator', 'reader')", name="role_known"
        ),
        CheckConstraint(
            "(role = 'rss') = (county_code IS NOT NULL)", name="county_code_only_for_rss"
        ),
        CheckConstraint(
            "(role = 'organiser') = (organisation_number IS NOT NULL)",
            name="organisation_number_only_for_organiser",
        ),
        CheckConstraint("rate_limit_per_second > 0", name="rate_limit_positive"),
    )

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    county_code: Mapped[str | None] = mapped_column(String(2))
    organisation_number: Mapped[str | None] = mapped_column(String(11))
    rate_limit_per_second: Mapped[int | None] = mapped_column(Integer)
    secret_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    """Failed token requests per client id and source address, for the failed-login limit:
    failures from one address never lock the client out for another."""

    __tablename__ = "login_failure"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
