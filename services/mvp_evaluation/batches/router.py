"""Routes of batches and the wave's lock: list and undo uploads, lock after cleaning."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from common.db import SessionDep
from common.pagination import Page, PageDep, id_path
from common.problems import problem_responses
from services.mvp_evaluation.access import AdminDep, EvaluatorDep
from services.mvp_evaluation.batches import service
from services.mvp_evaluation.batches.schemas import (
    BatchRead,
    LockCreate,
    Reason,
    UnlockCreate,
    WaveEventRead,
)
from services.mvp_evaluation.waves.schemas import WaveRead

router = APIRouter(tags=["batches"])
WaveId = Annotated[int, id_path("The wave's id.", 1)]
BatchId = Annotated[int, id_path("The batch's id.", 1)]


@router.get(
    "/waves/{id}/batches",
    summary="List a wave's batches / Lista en mätnings inläsningar",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_batches(
    id: WaveId, session: SessionDep, principal: EvaluatorDep, page: PageDep
) -> Page[BatchRead]:
    """Every upload accepted into the wave, in the order it came: who posted it, when, the
    file's name and SHA-256, its format and rows. Deleted batches stay listed, with who
    deleted them, when and why. Evaluators and admins."""
    return await service.list_batches(session, wave_id=id, params=page)


@router.delete(
    "/waves/{id}/batches/{batch}",
    summary="Delete a batch / Ta bort en inläsning",
    responses=problem_responses(
        401,
        403,
        404,
        409,
        422,
        s409="The wave is locked (`wave-locked`), or the batch is deleted already "
        "(`batch-deleted`)",
    ),
)
async def delete_batch(
    id: WaveId,
    batch: BatchId,
    session: SessionDep,
    principal: EvaluatorDep,
    reason: Annotated[Reason, Query(description="Why the batch is deleted (kept).")],
) -> BatchRead:
    """Remove exactly the batch's respondents and their scale scores; the batch stays listed
    as deleted and the wave's audit trail keeps who, when and why. A locked wave refuses (409
    `wave-locked`). Evaluators and admins."""
    return await service.delete_batch(
        session, wave_id=id, batch_id=batch, reason=reason, principal=principal
    )


@router.post(
    "/waves/{id}/lock",
    summary="Lock a wave / Lås en mätning",
    responses=problem_responses(401, 403, 404, 422),
)
async def lock_wave(
    id: WaveId, body: LockCreate, session: SessionDep, principal: EvaluatorDep
) -> WaveRead:
    """Lock the wave after cleaning: uploads and batch deletions are refused (409
    `wave-locked`) until an admin unlocks it. Locking a locked wave changes nothing.
    Evaluators and admins; kept in the wave's audit trail."""
    return await service.lock_wave(session, wave_id=id, reason=body.reason, principal=principal)


@router.post(
    "/waves/{id}/unlock",
    summary="Unlock a wave / Lås upp en mätning",
    responses=problem_responses(401, 403, 404, 422),
)
async def unlock_wave(
    id: WaveId, body: UnlockCreate, session: SessionDep, principal: AdminDep
) -> WaveRead:
    """Unlock the wave, saying why. Admins only; kept in the wave's audit trail. Unlocking
    a wave that is not locked changes nothing."""
    return await service.unlock_wave(session, wave_id=id, reason=body.reason, principal=principal)


@router.get(
    "/waves/{id}/events",
    summary="A wave's audit trail / En mätnings händelselogg",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_events(
    id: WaveId, session: SessionDep, principal: EvaluatorDep, page: PageDep
) -> Page[WaveEventRead]:
    """Locks, unlocks and deleted batches: who, when, why and in which request, oldest
    first. Evaluators and admins."""
    return await service.list_events(session, wave_id=id, params=page)
