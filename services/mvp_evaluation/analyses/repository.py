"""The SQL of the analyses. Effects read the scale scores stored with each batch
(`responses.scores`); reliability reads the answers themselves."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mvp_evaluation.instruments.models import Item
from services.mvp_evaluation.responses.models import Response, ResponseImport, ScaleScore
from services.mvp_evaluation.schools.models import School
from services.mvp_evaluation.waves.models import Wave
from services.mvp_evaluation.waves.schemas import WaveKind


def _kinds(after: WaveKind) -> tuple[WaveKind, WaveKind]:
    """The kinds of wave an effect reads: pre and the wave it is compared with."""
    return WaveKind.pre, after


async def cohort_schools(
    session: AsyncSession, cohort: str, after: WaveKind
) -> Sequence[Row[str, str, str]]:
    """The schools with a pre or `after` wave in the cohort, their arms and organisers, in
    code order."""
    rows = await session.execute(
        select(School.school_unit_code, School.arm, School.organisation_number)
        .join(Wave, Wave.school_unit_code == School.school_unit_code)
        .where(Wave.cohort == cohort, Wave.kind.in_(_kinds(after)))
        .distinct()
        .order_by(School.school_unit_code)
    )
    return rows.all()


async def school_owner(session: AsyncSession, school_unit_code: str) -> str:
    """The organisation number of a school's organiser."""
    owner = await session.scalar(
        select(School.organisation_number).where(School.school_unit_code == school_unit_code)
    )
    return str(owner)


async def scale_in_cohort(session: AsyncSession, cohort: str, scale: str, after: WaveKind) -> bool:
    statement = select(
        exists().where(
            Item.instrument_id == Wave.instrument_id,
            Item.scale == scale,
            Wave.cohort == cohort,
            Wave.kind.in_(_kinds(after)),
        )
    )
    return bool(await session.scalar(statement))


async def stored_scores(
    session: AsyncSession, cohort: str, scale: str, after: WaveKind
) -> Sequence[Row[str, str, bytes, bytes]]:
    """Per stored part of the cohort's pre and `after` waves: school, kind, respondent keys
    and scale scores, in each wave's import order."""
    result = await session.execute(
        select(Wave.school_unit_code, Wave.kind, ScaleScore.respondent_keys, ScaleScore.scores)
        .join(ResponseImport, ResponseImport.wave_id == Wave.id)
        .join(ScaleScore, ScaleScore.import_id == ResponseImport.id)
        .where(Wave.cohort == cohort, Wave.kind.in_(_kinds(after)), ScaleScore.scale == scale)
        .order_by(Wave.school_unit_code, Wave.kind, ScaleScore.position)
    )
    return result.all()


async def scale_items(session: AsyncSession, wave: Wave, scale: str) -> Sequence[Item]:
    rows = await session.scalars(
        select(Item)
        .where(Item.instrument_id == wave.instrument_id, Item.scale == scale)
        .order_by(Item.position)
    )
    return rows.all()


async def complete_cases(
    session: AsyncSession, wave_id: int, positions: list[int]
) -> list[list[int]]:
    """The answers to these items of every respondent who answered them all."""
    picked = [Response.answers[position] for position in positions]
    statement = select(*picked).where(
        Response.wave_id == wave_id, *(answer.is_not(None) for answer in picked)
    )
    return [list(row) for row in (await session.execute(statement)).all()]
