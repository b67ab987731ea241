"""Fixtures of the progress tests."""

from __future__ import annotations

import pytest

from tests.goals.progress.support import Year
from tests.goals.support import Goals


@pytest.fixture
async def year(goals: Goals) -> Year:
    """12 approved (H1 and H2), 01 submitted, 03 planned only."""
    year = Year(goals)
    await year.plan("12", ("K1", "K2", "K5"), {"Avtal": (4, 12), "Andel": (20, 50)})
    await year.plan("01", ("K1", "K2"), {"Avtal": (2, 6), "Andel": (40, 60)})
    await goals.plan("03", ("K1", "K2"))
    first = await year.report(
        "12", "2019H1", Avtal=8, Andel={"numerator": 9, "denominator": 26}, Rutin=True
    )
    await goals.approved(first, "12")
    second = await year.report("12", "2019H2", Avtal=10)
    await goals.approved(second, "12")
    year.submitted = await year.report(
        "01", "2019", Avtal=5, Andel={"numerator": 1, "denominator": 2}, Rutin=False
    )
    await goals.moved(year.submitted, "submit", goals.rss("01"))
    return year
