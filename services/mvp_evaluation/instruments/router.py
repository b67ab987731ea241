"""Routes of instruments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from common.db import SessionDep
from common.idempotency import IdempotencyDep, Outcome
from common.pagination import Page, PageDep, id_path
from common.problems import problem_responses
from services.mvp_evaluation.access import AnyRoleDep, EvaluatorDep
from services.mvp_evaluation.instruments import service
from services.mvp_evaluation.instruments.schemas import InstrumentCreate, InstrumentRead

router = APIRouter(tags=["instruments"])


@router.post(
    "/instruments",
    status_code=201,
    response_model=InstrumentRead,
    summary="Register an instrument version / Registrera en enkätversion",
    responses={
        200: {
            "model": InstrumentRead,
            "description": "The version existed (unchanged or "
            "its items replaced while it had no data).",
        },
        **problem_responses(401, 403, 409, 422),
    },
)
async def save_instrument(
    body: InstrumentCreate,
    session: SessionDep,
    principal: EvaluatorDep,
    idem: IdempotencyDep,
) -> Response:
    """Register a version of a questionnaire with its items (code, Swedish text, min, max,
    reverse, scale); its scales are derived from the items. A new version is 201. The same
    code and version again: 200, unchanged when the items are the same, the items replaced
    when they differ and no wave of the version has data yet, and 409
    `instrument-version-locked` once it has data: post the change as a new version."""

    async def effect() -> Outcome:
        instrument, created = await service.save_instrument(session, data=body)
        return Outcome(instrument, status=201 if created else 200)

    return await idem.run(effect, payload=body)


@router.get(
    "/instruments",
    summary="List instrument versions / Lista enkätversioner",
    responses=problem_responses(401, 403, 422),
)
async def list_instruments(
    session: SessionDep,
    principal: AnyRoleDep,
    page: PageDep,
    code: Annotated[
        str | None, Query(description="Only this instrument's versions.", examples=["mvp-elev"])
    ] = None,
) -> Page[InstrumentRead]:
    """Instrument versions in code and version order, with their items and scales."""
    return await service.list_instruments(session, code=code, params=page)


@router.get(
    "/instruments/{code}/versions/{version}",
    summary="Read an instrument version / Läs en enkätversion",
    responses=problem_responses(401, 403, 404, 422),
)
async def read_instrument(
    code: Annotated[str, Path(description="The instrument's code.", examples=["mvp-elev"])],
    version: Annotated[int, id_path("The version number.", 1)],
    session: SessionDep,
    principal: AnyRoleDep,
) -> InstrumentRead:
    """One version of an instrument, with its items in order and its scales."""
    return await service.read_instrument(session, code=code, version=version)
