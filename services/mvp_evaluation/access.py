"""Who may do what in the mvp-evaluation service: one dependency alias per group of roles.

- Evaluators and admins register schools, instruments and waves, post survey data, export it,
  and see every figure unsuppressed.
- Every other role (reader, rss, organiser) may read the registers and the analyses; a figure
  from fewer than `KVF_MIN_CELL_SIZE` respondents is null for them, with `"suppressed": true`.
  The registers and analyses hold no personal data and no answers, and a reader already sees
  every school's aggregated figures, so no role is narrowed to its own county or schools.
"""

from typing import Annotated

from fastapi import Depends

from common.auth import AdminDep, Allow, AnyRoleDep, Principal, Role

__all__ = ["AdminDep", "AnyRoleDep", "EvaluatorDep", "sees_small_cells"]

EVALUATORS = (Role.admin, Role.evaluator)

EvaluatorDep = Annotated[Principal, Depends(Allow(*EVALUATORS))]
"""Registers, survey data, exports: evaluators and admins."""


def sees_small_cells(principal: Principal) -> bool:
    """Whether figures from few respondents are shown to this principal unsuppressed."""
    return principal.role in EVALUATORS
