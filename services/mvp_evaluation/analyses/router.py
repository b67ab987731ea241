"""Routes of the analyses: effects and reliability."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from common.db import SessionDep
from common.problems import problem_responses
from services.mvp_evaluation.access import AnyRoleDep, viewer
from services.mvp_evaluation.analyses import service
from services.mvp_evaluation.analyses.schemas import Comparison, EffectsRead, ReliabilityRead
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
    compare: Annotated[
        Comparison,
        Query(
            description="The wave compared with pre: `post` (the default) or `follow_up`.",
            examples=["follow_up"],
        ),
    ] = Comparison.post,
) -> EffectsRead:
    """Scale scores (the mean of a respondent's answered items of the scale, reverse items
    scored min + max − x, when at least half are answered) compared between the pre wave and
    the wave named by `compare` (`post`, the default, or `follow_up`) of each school in the
    cohort, a pupil being the same respondent code in both; the response's `compare` says
    which, and fields named `post` hold that wave's figures. Per school: paired n, means,
    mean difference, its SD and 95 % t interval, the paired t-test's p, d_z and Hedges' g;
    the same pooled over the intervention schools; Morris (2008) d_ppc2 against the
    comparison schools; beside it, `controlled.multilevel`: a linear mixed model on the
    paired respondents of both arms, score_after = β0 + β_arm·arm + β_pre·score_pre + u_school
    + e (arm 1 = intervention, u ~ N(0, σ²_u), e ~ N(0, σ²)), fitted by REML: with
    γ = σ²_u/σ² and H_j = I + γ·11ᵀ per school, β̂ = (XᵀH⁻¹X)⁻¹XᵀH⁻¹y, σ̂² = rᵀH⁻¹r/(N − 3),
    and γ maximises −½[(N − 3)·log(rᵀH⁻¹r) + Σ_j log(1 + n_j·γ) + log|XᵀH⁻¹X|] (a 0.02 grid over
    ρ = γ/(1 + γ), refined by a bounded Brent search); `estimate` = β̂_arm, `se` from the
    inverse negative Hessian of that criterion in (β, γ) (statsmodels MixedLM's), the 95 %
    interval and p from t with n_schools − 2 df, `standardized` = estimate ÷ d_ppc2's pooled
    pre SD, `icc_conditional` = ρ = σ²_u/(σ²_u + σ²). It is null with a `reason` when an arm
    has fewer than two schools with pairs, the pre scores have no spread, the search does not
    converge, or the fit is singular (ρ < 1e-8, or residual variance zero). ICC(1) of the
    pre scores with schools as groups (the same for either comparison). A school without
    the compared wave has n = 0. An undefined figure (n = 1, no variance, no comparison arm,
    one school) is null. Who sees
    what: evaluators and admins every figure; an organiser its own schools' figures and the
    pooled ones; a reader or an RSS the pooled ones only. A school's hidden figures are null
    with `suppressed` and the school's `withheld` says why (`small_cell`: fewer respondents
    than KVF_MIN_CELL_SIZE, for every role but evaluator and admin; `other_organiser`;
    `pooled_only`). A figure over several schools (pooled, each arm of the controlled
    figures, the ICC) is hidden when it has fewer respondents than the limit, or when the
    schools hidden from the caller could be recovered from it by subtraction: one hidden
    school alone, or hidden schools with fewer than the limit together. The multilevel
    estimate is hidden exactly when d_ppc2 is (each arm must pass on its own). 404 when the
    cohort has no pre or compared wave, or the scale is in none of their instruments."""
    return await service.effects(
        session,
        scale=scale,
        cohort=cohort,
        compare=compare,
        viewer=viewer(principal, settings.min_cell_size),
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
    """Cronbach's alpha of the scale's items (reverse items recoded) in one wave of any kind
    (pre, post or follow_up), on the respondents who answered every item; null with
    `suppressed` below the small-cell limit for roles other than evaluator and admin. A
    wave's alpha is one school's figure: 403 for a reader or an RSS, and for an organiser
    asking for another organiser's school."""
    return await service.reliability(
        session,
        scale=scale,
        wave_id=wave,
        viewer=viewer(principal, settings.min_cell_size),
    )
