"""Routes of the analyses: effects and reliability."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from common.db import SessionDep
from common.problems import problem_responses
from services.mvp_evaluation.access import AnyRoleDep, sees_small_cells
from services.mvp_evaluation.analyses import service
from services.mvp_evaluation.analyses.schemas import EffectsRead, ReliabilityRead
from services.mvp_evaluation.config import SettingsDep

router = APIRouter(tags=["analyses"])
Scale = Annotated[str, Query(description="The scale's code.", max_length=64, examples=["attityd"])]


@router.get(
    "/effects",
    summary="Effects on a scale in a cohort / Effekter på en skala i en kohort",
    responses=problem_responses(401, 403, 404, 422),
)
async def read_effects(
    scale: Scale,
    cohort: Annotated[str, Query(description="The cohort.", max_length=40, examples=["2019"])],
    session: SessionDep,
    principal: AnyRoleDep,
    settings: SettingsDep,
) -> EffectsRead:
    """Scale scores (the mean of a respondent's answered items of the scale, reverse items
    scored min + max − x, when at least half are answered) compared between the pre and post
    waves of each school in the cohort: paired n, means, mean difference, its SD and 95 %
    t interval, the paired t-test's p, d_z and Hedges' g; the same pooled over the
    intervention schools; Morris (2008) d_ppc2 against the comparison schools; and ICC(1) of
    the pre scores with schools as groups. An undefined figure (n = 1, no variance, no
    comparison arm, one school) is null. For roles other than evaluator and admin, figures
    from fewer than the small-cell limit (KVF_MIN_CELL_SIZE) are null with `suppressed`,
    as are figures over several schools that would reveal a hidden school by subtraction."""
    return await service.effects(
        session,
        scale=scale,
        cohort=cohort,
        min_cell_size=None if sees_small_cells(principal) else settings.min_cell_size,
    )


@router.get(
    "/reliability",
    summary="Reliability of a scale in a wave / Reliabilitet för en skala i en mätning",
    responses=problem_responses(401, 403, 404, 422),
)
async def read_reliability(
    scale: Scale,
    wave: Annotated[int, Query(description="The wave's id.", ge=1, le=2**31 - 1, examples=[1])],
    session: SessionDep,
    principal: AnyRoleDep,
    settings: SettingsDep,
) -> ReliabilityRead:
    """Cronbach's alpha of the scale's items (reverse items recoded) in one wave, on the
    respondents who answered every item; null with `suppressed` below the small-cell limit
    for roles other than evaluator and admin."""
    return await service.reliability(
        session,
        scale=scale,
        wave_id=wave,
        min_cell_size=None if sees_small_cells(principal) else settings.min_cell_size,
    )
