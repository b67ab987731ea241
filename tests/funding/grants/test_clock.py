"""The programme's clock: a training system can set the grants' time; by default it is now."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from services.funding.config import Settings
from services.funding.grants import clock


@pytest.fixture
def fresh_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    clock._offset.cache_clear()
    yield
    clock._offset.cache_clear()


@pytest.mark.usefixtures("fresh_clock")
def test_the_clock_starts_at_the_setting_and_runs_on(monkeypatch: pytest.MonkeyPatch) -> None:
    start = datetime(2019, 9, 2, 7, 0, tzinfo=UTC)
    monkeypatch.setenv("KVF_FUNDING_CLOCK_START", "2019-09-02T09:00:00+02:00")
    monkeypatch.setattr(clock, "get_settings", Settings)

    first = clock.now()
    second = clock.now()

    assert start <= first < start + timedelta(minutes=1)
    assert first <= second < first + timedelta(minutes=1)


@pytest.mark.usefixtures("fresh_clock")
def test_unset_it_is_the_wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KVF_FUNDING_CLOCK_START", raising=False)
    monkeypatch.setattr(clock, "get_settings", Settings)

    assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_start_without_a_zone_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KVF_FUNDING_CLOCK_START", "2019-09-02T09:00:00")

    with pytest.raises(ValueError, match="timezone"):
        Settings()
