"""The grants' tests in the programme's time: the grants clock set inside 2019 (a call's
window must lie in its pool's year), calls rolling unless a test says otherwise, and the
steps of a grant as a case (reports, withdrawals, call changes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.funding.grants import clock
from tests.funding.support import API, MALMO, POOL, Grants, Ledger
from tests.support import Tokens, expect

START = datetime(2019, 7, 1, 10, 0, tzinfo=UTC)
"""Where each test's clock starts: summer 2019, inside the pool's year."""


class Clock:
    """The grants' clock, held at a set time that a test moves."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = START
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def advance(self, days: float) -> None:
        self.now += timedelta(days=days)


def window(
    at: datetime = START, *, opened_days_ago: float = 1, closes_in_days: float = 30
) -> dict[str, str]:
    """A call window relative to `at`: `opens_at` and `closes_at` as RFC 3339."""
    return {
        "opens_at": (at - timedelta(days=opened_days_ago)).isoformat(),
        "closes_at": (at + timedelta(days=closes_in_days)).isoformat(),
    }


def report_body(**extra: Any) -> dict[str, Any]:
    """A valid use-of-funds report."""
    return {
        "used_amount_ore": 18_000_000,
        "school_unit_codes": ["12345678", "23456789"],
        "staff_count": 12,
        "pupil_count": 340,
        "method": "MVP",
        "activities": "12 lärare utbildade till mentorer.",
        "next_steps": "MVP i åk 7 varje höst.",
        **extra,
    }


class CaseGrants(Grants):
    """The grants API in 2019 time: calls open at the clock and rolling unless told."""

    def __init__(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger, clock: Clock
    ) -> None:
        super().__init__(client, tokens, ledger)
        self.clock = clock

    async def call(
        self,
        *,
        pool_ore: int = 50_000_000,
        pool: str = POOL,
        when: dict[str, str] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        return await super().call(
            pool_ore=pool_ore,
            pool=pool,
            when=when or window(self.clock.now),
            **{"rolling": True, **extra},
        )

    async def patch_call(
        self, call_id: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.client.patch(
            f"{API}/calls/{call_id}", json=body, headers=headers or self.ledger.admin
        )

    async def report(
        self, application_id: int, number: str = MALMO, **extra: Any
    ) -> httpx.Response:
        return await self.client.post(
            f"{API}/applications/{application_id}/reports",
            json=report_body(**extra),
            headers=self.organiser(number),
        )

    async def review(
        self, application_id: int, number: int, action: str, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"{API}/applications/{application_id}/reports/{number}/{action}",
            json=body or {},
            headers=self.ledger.admin,
        )

    async def approved_report(
        self, application_id: int, used_amount_ore: int, number: str = MALMO
    ) -> dict[str, Any]:
        """A report on the grant, submitted by the organiser and approved."""
        report = expect(
            await self.report(application_id, number, used_amount_ore=used_amount_ore), 201
        )
        return expect(await self.review(application_id, report["number"], "approve"), 200)
