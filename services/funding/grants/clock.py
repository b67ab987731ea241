"""What "now" is for the grants: a call's window, its deadlines, when decisions may be made.

One function, read at each use, so that a test can set the programme's time (a 2019 call is
open only in 2019) through the API without waiting for it: `monkeypatch.setattr(clock, "now",
...)`. In service it is the wall clock, unless `KVF_FUNDING_CLOCK_START` sets the programme's
time for a training or demonstration system: the clock then reads that moment when it is
first asked and runs on in real time from there. Ledger entries keep their real posting time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from services.funding.config import get_settings


@lru_cache
def _offset() -> timedelta:
    """How far the programme's clock is from the wall clock, fixed at its first reading."""
    start = get_settings().clock_start
    return timedelta(0) if start is None else start - datetime.now(UTC)


def now() -> datetime:
    """The time now, in UTC (on the programme's clock when one is set)."""
    offset = _offset()  # first, so that the first reading is the start itself
    return datetime.now(UTC) + offset
