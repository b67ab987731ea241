"""What a role other than evaluator and admin may see of the analyses.

- Whose schools: an organiser sees school-level figures of its own schools only; a reader
  and an RSS see pooled figures only. Evaluators and admins see every school.
- Small cells: a school's figures from fewer than `limit` respondents are null, with
  `suppressed: true`, even for its own organiser.
- Complementary suppression: a figure over several schools is null when it comes from fewer
  than `limit` respondents, or when the schools hidden from this viewer (by owner, by role or
  as small cells) could be recovered from it by subtracting the shown ones: one hidden school
  alone, or hidden schools that together have fewer than `limit`. What subtraction can then
  give is only the sum of two or more hidden schools with at least `limit` respondents. The
  controlled figure reveals each arm's n and mean change, so each arm must pass on its own.
- The ICC applies the same rule to the schools' pre-wave respondents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Withheld(StrEnum):
    """Why a school's figures are hidden from the caller."""

    small_cell = "small_cell"
    other_organiser = "other_organiser"
    pooled_only = "pooled_only"


@dataclass(frozen=True)
class Viewer:
    """What one caller may see: the small-cell limit (None: every figure, for evaluators and
    admins), and whose schools' figures (`own`: an organiser's organisation number; with
    `pooled_only`, no school's)."""

    limit: int | None = None
    own: str | None = None
    pooled_only: bool = False

    def not_shown_school(self, organisation_number: str) -> Withheld | None:
        """Why this viewer may see no figure of a school of this organiser, if it may not."""
        if self.limit is None:
            return None
        if self.pooled_only:
            return Withheld.pooled_only
        if self.own is not None and organisation_number != self.own:
            return Withheld.other_organiser
        return None

    def withheld(self, organisation_number: str, n: int) -> Withheld | None:
        """Why this viewer may not see a school's figure from `n` respondents, if it may not."""
        if self.limit is None:
            return None
        if reason := self.not_shown_school(organisation_number):
            return reason
        return Withheld.small_cell if n < self.limit else None

    def group_hidden(self, parts: Sequence[tuple[str, int]]) -> bool:
        """Whether a figure over schools of (organisation number, respondents) is hidden."""
        if self.limit is None:
            return False
        hidden = [n for owner, n in parts if n > 0 and self.withheld(owner, n) is not None]
        total = sum(n for _, n in parts)
        return total < self.limit or (
            bool(hidden) and (len(hidden) == 1 or sum(hidden) < self.limit)
        )
