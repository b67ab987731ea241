"""Small cells: what a role other than evaluator and admin may see.

- A school's figures from fewer than `limit` respondents are null, with `suppressed: true`.
- A figure over several schools is null when it comes from fewer than `limit` respondents,
  or when the schools hidden on their own (0 < n < limit) together have fewer than `limit`:
  otherwise subtracting the visible schools from it would give the hidden ones' figures. The
  controlled figure reveals each arm's n and mean change, so each arm must pass on its own.
- The ICC applies the same rule to the schools' pre-wave respondents.
"""

from __future__ import annotations

from collections.abc import Sequence


def cell_hidden(n: int, limit: int | None) -> bool:
    """Whether a figure from `n` respondents is hidden (`limit` None: nothing is)."""
    return limit is not None and n < limit


def group_hidden(parts: Sequence[int], limit: int | None) -> bool:
    """Whether a figure over groups of `parts` respondents each is hidden."""
    if limit is None:
        return False
    hidden_alone = sum(n for n in parts if 0 < n < limit)
    return sum(parts) < limit or 0 < hidden_alone < limit
