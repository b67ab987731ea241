"""The SQL of the analyses: scale scores are computed in PostgreSQL, next to the answers.

A respondent's score on a scale is the mean of the answered items of that scale in the
wave's instrument version, reverse items scored min + max − x, when at least half of them
are answered; else NULL.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, exists, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.mvp_evaluation.db import SCHEMA
from services.mvp_evaluation.instruments.models import Item
from services.mvp_evaluation.responses.models import Response
from services.mvp_evaluation.schools.models import School
from services.mvp_evaluation.waves.models import Wave
from services.mvp_evaluation.waves.schemas import WaveKind

PAIRED_KINDS = (WaveKind.pre, WaveKind.post)

_SCORE = f"""
    SELECT CASE WHEN count(x.v) * 2 >= count(*) THEN avg(x.v)::float8 END
    FROM (
        SELECT CASE WHEN i.reverse THEN i.min + i.max - r.answers[i.position]
                    ELSE r.answers[i.position] END AS v
        FROM {SCHEMA}.item AS i
        WHERE i.instrument_id = w.instrument_id AND i.scale = :scale
    ) AS x
"""  # noqa: S608  # the schema is a constant; values are bound parameters

_PRE_POST = text(
    f"""
    WITH score AS (
        SELECT w.school_unit_code, w.kind, r.respondent, ({_SCORE}) AS score
        FROM {SCHEMA}.wave AS w
        JOIN {SCHEMA}.response AS r ON r.wave_id = w.id
        WHERE w.cohort = :cohort AND w.kind IN (:pre, :post)
    )
    SELECT pre.school_unit_code, pre.score AS pre, post.score AS post
    FROM score AS pre
    LEFT JOIN score AS post
        ON post.kind = :post
        AND post.school_unit_code = pre.school_unit_code
        AND post.respondent = pre.respondent
        AND post.score IS NOT NULL
    WHERE pre.kind = :pre AND pre.score IS NOT NULL
    ORDER BY pre.school_unit_code
    """  # noqa: S608  # the schema is a constant; values are bound parameters
)


async def cohort_schools(session: AsyncSession, cohort: str) -> Sequence[Row[str, str]]:
    """The schools with a pre or post wave in the cohort, and their arms, in code order."""
    rows = await session.execute(
        select(School.school_unit_code, School.arm)
        .join(Wave, Wave.school_unit_code == School.school_unit_code)
        .where(Wave.cohort == cohort, Wave.kind.in_(PAIRED_KINDS))
        .distinct()
        .order_by(School.school_unit_code)
    )
    return rows.all()


async def scale_in_cohort(session: AsyncSession, cohort: str, scale: str) -> bool:
    statement = select(
        exists().where(
            Item.instrument_id == Wave.instrument_id,
            Item.scale == scale,
            Wave.cohort == cohort,
            Wave.kind.in_(PAIRED_KINDS),
        )
    )
    return bool(await session.scalar(statement))


async def pre_post_scores(
    session: AsyncSession, cohort: str, scale: str
) -> Sequence[Row[str, float, float | None]]:
    """Per respondent with a pre score: school, pre score, post score (None if none)."""
    params = {"cohort": cohort, "scale": scale, "pre": WaveKind.pre, "post": WaveKind.post}
    result = await session.execute(_PRE_POST, params)
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
