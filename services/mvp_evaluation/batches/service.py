"""Batches that can be undone, and the lock that ends cleaning.

A batch's respondents are the wave's rows at its positions; deleting it removes exactly
those and its scale scores, keeps the batch's row with who, when and why, and writes the
wave's audit trail, all under the wave's row lock (the same lock an upload holds), so a
deletion and an upload never interleave.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.context import current_request_id
from common.pagination import Page, PageParams
from common.problems import NotFound
from services.mvp_evaluation.batches import repository
from services.mvp_evaluation.batches.schemas import BatchRead, WaveEventRead
from services.mvp_evaluation.problems import BatchDeleted, WaveLocked
from services.mvp_evaluation.waves import repository as waves
from services.mvp_evaluation.waves import service as wave_rules
from services.mvp_evaluation.waves.models import Wave, WaveEvent
from services.mvp_evaluation.waves.schemas import WaveAction, WaveRead


def refuse_if_locked(wave: Wave) -> None:
    """409 wave-locked for a change to a locked wave."""
    if wave.locked_at is not None:
        raise WaveLocked(
            f"Wave {wave.id} was locked by {wave.locked_by} at "
            f"{wave.locked_at.isoformat()}; an admin must unlock it first."
        )


async def _locked_wave(session: AsyncSession, wave_id: int) -> Wave:
    wave = await waves.lock(session, wave_id)
    if wave is None:
        raise NotFound(f"No wave {wave_id}.")
    return wave


async def _event(
    session: AsyncSession,
    wave: Wave,
    action: WaveAction,
    principal: Principal,
    *,
    reason: str | None,
    batch_id: int | None = None,
) -> None:
    session.add(
        WaveEvent(
            wave_id=wave.id,
            action=action.value,
            batch_id=batch_id,
            actor=principal.client_id,
            role=principal.role.value,
            reason=reason,
            request_id=current_request_id(),
        )
    )
    await session.flush()


async def list_batches(
    session: AsyncSession, *, wave_id: int, params: PageParams
) -> Page[BatchRead]:
    """The wave's batches in the order they came, deleted ones included."""
    if await waves.get(session, wave_id) is None:
        raise NotFound(f"No wave {wave_id}.")
    rows, total = await repository.page(session, wave_id=wave_id, page=params)
    return Page.of([BatchRead.model_validate(row) for row in rows], total, params)


async def delete_batch(
    session: AsyncSession, *, wave_id: int, batch_id: int, reason: str, principal: Principal
) -> BatchRead:
    """Remove exactly the batch's respondents and scores; the batch stays listed as deleted."""
    wave = await _locked_wave(session, wave_id)
    batch = await repository.get(session, wave_id=wave_id, batch_id=batch_id)
    if batch is None:
        raise NotFound(f"Wave {wave_id} has no batch {batch_id}.")
    refuse_if_locked(wave)
    if batch.deleted_at is not None:
        raise BatchDeleted(
            f"Batch {batch_id} was deleted by {batch.deleted_by} at {batch.deleted_at.isoformat()}."
        )
    removed = await repository.remove_rows(session, batch)
    await waves.add_respondents(session, wave.id, -removed)
    batch.deleted_at = datetime.now(UTC)
    batch.deleted_by = principal.client_id
    batch.delete_reason = reason
    await _event(
        session, wave, WaveAction.batch_deleted, principal, reason=reason, batch_id=batch.id
    )
    return BatchRead.model_validate(batch)


async def lock_wave(
    session: AsyncSession, *, wave_id: int, reason: str | None, principal: Principal
) -> WaveRead:
    """Lock the wave (already locked: as it is, nothing new recorded)."""
    wave = await _locked_wave(session, wave_id)
    if wave.locked_at is None:
        wave.locked_at = datetime.now(UTC)
        wave.locked_by = principal.client_id
        await _event(session, wave, WaveAction.locked, principal, reason=reason)
    return await wave_rules.read_wave(session, wave_id=wave_id, min_cell_size=None)


async def unlock_wave(
    session: AsyncSession, *, wave_id: int, reason: str, principal: Principal
) -> WaveRead:
    """Unlock the wave (not locked: as it is, nothing new recorded); the route admits admins
    only."""
    wave = await _locked_wave(session, wave_id)
    if wave.locked_at is not None:
        wave.locked_at = None
        wave.locked_by = None
        await _event(session, wave, WaveAction.unlocked, principal, reason=reason)
    return await wave_rules.read_wave(session, wave_id=wave_id, min_cell_size=None)


async def list_events(
    session: AsyncSession, *, wave_id: int, params: PageParams
) -> Page[WaveEventRead]:
    """The wave's audit trail, oldest first."""
    if await waves.get(session, wave_id) is None:
        raise NotFound(f"No wave {wave_id}.")
    rows, total = await repository.events(session, wave_id=wave_id, page=params)
    return Page.of([WaveEventRead.model_validate(row) for row in rows], total, params)
