"""Who may do what in the mvp-evaluation service: one dependency alias per group of roles.

- Evaluators and admins register schools, instruments and waves, post survey data, export it,
  and see every figure unsuppressed.
- Every other role may read the registers and the analyses, narrowed by `viewer`: an
  organiser sees its own schools' figures and pooled ones, a reader and an RSS pooled ones
  only, and a figure from fewer than `KVF_MIN_CELL_SIZE` respondents, or one that would reveal
  a hidden school by subtraction, is null for them with `"suppressed": true`.
"""

from typing import Annotated

from fastapi import Depends

from common.auth import AdminDep, Allow, AnyRoleDep, Principal, Role
from services.mvp_evaluation.analyses.suppression import Viewer

__all__ = ["AdminDep", "AnyRoleDep", "EvaluatorDep", "sees_small_cells", "viewer"]

EVALUATORS = (Role.admin, Role.evaluator)

EvaluatorDep = Annotated[Principal, Depends(Allow(*EVALUATORS))]
"""Registers, survey data, exports: evaluators and admins."""


def sees_small_cells(principal: Principal) -> bool:
    """Whether figures from few respondents are shown to this principal unsuppressed."""
    return principal.role in EVALUATORS


def viewer(principal: Principal, min_cell_size: int) -> Viewer:
    """What this principal may see of the analyses."""
    if sees_small_cells(principal):
        return Viewer()
    if principal.role is Role.organiser:
        return Viewer(limit=min_cell_size, own=principal.organisation_number)
    return Viewer(limit=min_cell_size, pooled_only=True)
