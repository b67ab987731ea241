"""What "now" is for the grants: a call's window, its deadlines, when decisions may be made.

One function, read at each use, so that a test can set the programme's time (a 2019 call is
open only in 2019) through the API without waiting for it: `monkeypatch.setattr(clock, "now",
...)`. In service it is the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The time now, in UTC."""
    return datetime.now(UTC)
