"""Who may do what in the mvp-evaluation service, and the app's settings as a dependency.

- Evaluators and admins register schools, instruments and waves, post survey data, export it,
  and see every figure unsuppressed.
- Every other role (reader, rss, organiser) may read the registers and the analyses; a figure
  from fewer than `KVF_MIN_CELL_SIZE` respondents is null for them, with `"suppressed": true`.
  The registers and analyses hold no personal data and no answers, and a reader already sees
  every school's aggregated figures, so no role is narrowed to its own county or schools.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from common.auth import ALL_ROLES, Allow, Principal, Role
from services.mvp_evaluation.config import Settings

EVALUATORS = (Role.admin, Role.evaluator)

EvaluatorDep = Annotated[Principal, Depends(Allow(*EVALUATORS))]
AnyRoleDep = Annotated[Principal, Depends(Allow(*ALL_ROLES))]


def sees_small_cells(principal: Principal) -> bool:
    """Whether figures from few respondents are shown to this principal unsuppressed."""
    return principal.role in EVALUATORS


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]
