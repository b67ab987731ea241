"""Routes of waves."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from common.db import SessionDep
from common.idempotency import IdempotencyDep
from common.pagination import Page, PageDep, id_path
from common.problems import problem_responses
from services.mvp_evaluation.access import AnyRoleDep, EvaluatorDep, sees_small_cells
from services.mvp_evaluation.config import SettingsDep
from services.mvp_evaluation.waves import service
from services.mvp_evaluation.waves.schemas import WaveCreate, WaveKind, WaveRead

router = APIRouter(tags=["waves"])


@router.post(
    "/waves",
    status_code=201,
    response_model=WaveRead,
    summary="Register a wave / Registrera en mätning",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_wave(
    body: WaveCreate,
    session: SessionDep,
    principal: EvaluatorDep,
    idem: IdempotencyDep,
) -> Response:
    """Register a wave: a school, an instrument version, its kind (pre, post or follow_up),
    its cohort and the date it was administered. A school has one wave of each kind per
    cohort (409 `wave-exists`)."""
    return await idem.run(
        lambda: service.create_wave(session, data=body),
        payload=body,
        status_code=201,
    )


@router.get(
    "/waves",
    summary="List waves / Lista mätningar",
    responses=problem_responses(401, 403, 422),
)
async def list_waves(
    session: SessionDep,
    principal: AnyRoleDep,
    settings: SettingsDep,
    page: PageDep,
    school_unit_code: Annotated[
        str | None, Query(description="Only this school's waves.", examples=["12345678"])
    ] = None,
    cohort: Annotated[str | None, Query(description="Only this cohort.", examples=["2019"])] = None,
    kind: Annotated[WaveKind | None, Query(description="Only this kind.")] = None,
) -> Page[WaveRead]:
    """Waves in id order, with their respondent counts (suppressed below the small-cell
    limit for roles other than evaluator and admin)."""
    return await service.list_waves(
        session,
        school_unit_code=school_unit_code,
        cohort=cohort,
        kind=kind,
        min_cell_size=None if sees_small_cells(principal) else settings.min_cell_size,
        params=page,
    )


@router.get(
    "/waves/{id}",
    summary="Read a wave / Läs en mätning",
    responses=problem_responses(401, 403, 404, 422),
)
async def read_wave(
    id: Annotated[int, id_path("The wave's id.", 1)],
    session: SessionDep,
    principal: AnyRoleDep,
    settings: SettingsDep,
) -> WaveRead:
    """One wave by id."""
    return await service.read_wave(
        session,
        wave_id=id,
        min_cell_size=None if sees_small_cells(principal) else settings.min_cell_size,
    )
