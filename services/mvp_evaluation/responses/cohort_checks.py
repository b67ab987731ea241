"""Checks that catch the wrong file: a batch's respondents against the rest of its cohort.

Respondent codes are pseudonyms that follow a pupil through the cohort's waves at one school.
So a batch whose codes are mostly in another school's waves of the cohort was most likely
posted to the wrong wave, and a post or follow-up batch that matches nobody of the school's
pre wave most likely belongs to another school or cohort. Both are refused unless the request
says they are intended (`allow_unmatched`); the counts are reported either way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mvp_evaluation.problems import RespondentsElsewhere, UnmatchedPreWave
from services.mvp_evaluation.responses import repository
from services.mvp_evaluation.responses.batch import Batch
from services.mvp_evaluation.waves.models import Wave
from services.mvp_evaluation.waves.schemas import WaveKind


@dataclass(frozen=True)
class CohortMatch:
    """How the batch's respondents meet the rest of its cohort."""

    respondents: int
    in_other_schools: int
    """Respondents whose code is in another school's wave of the cohort."""
    matched_pre: int | None
    """For a post or follow-up wave: respondents found in the school's pre wave (None for a
    pre wave, or when the pre wave has nobody yet)."""
    most_in_school: str | None
    """The other school that has most of them."""

    def refuse_if_wrong(self, wave: Wave) -> None:
        """409 when the batch looks meant for another wave (see the module)."""
        if self.in_other_schools * 2 > self.respondents:
            raise RespondentsElsewhere(
                f"{self.in_other_schools} of the batch's {self.respondents} respondents are "
                f"already in another school's waves of cohort {wave.cohort} (most in school "
                f"{self.most_in_school}); is this the right wave? If it is, post again with "
                "allow_unmatched=true.",
                in_other_schools=self.in_other_schools,
                respondents=self.respondents,
            )
        if self.matched_pre == 0:
            raise UnmatchedPreWave(
                f"None of the batch's {self.respondents} respondents is in the pre wave of "
                f"school {wave.school_unit_code}, cohort {wave.cohort}; is this the right "
                "wave? If it is, post again with allow_unmatched=true.",
                matched_pre=0,
                respondents=self.respondents,
            )


async def _found_in(
    session: AsyncSession, codes: npt.NDArray[np.int64], wave_id: int
) -> npt.NDArray[np.bool_]:
    """Which of the batch's codes (as hashes) the wave has."""
    found = np.zeros(len(codes), dtype=bool)
    async for chunk in repository.existing_codes(session, wave_id):
        hashes = np.fromiter(map(hash, chunk), dtype=np.int64, count=len(chunk))
        found |= np.isin(codes, hashes)
    return found


async def match(session: AsyncSession, wave: Wave, batch: Batch) -> CohortMatch:
    """Count the batch's respondents in other schools' waves and in the school's pre wave."""
    codes = batch.code_hashes()
    others = await session.scalars(
        select(Wave).where(
            Wave.cohort == wave.cohort,
            Wave.school_unit_code != wave.school_unit_code,
            Wave.respondents > 0,
        )
    )
    elsewhere = np.zeros(len(codes), dtype=bool)
    by_school: Counter[str] = Counter()
    for other in others.all():
        found = await _found_in(session, codes, other.id)
        by_school[other.school_unit_code] += int(found.sum())
        elsewhere |= found
    matched_pre = None
    if wave.kind != WaveKind.pre:
        pre = await session.scalar(
            select(Wave).where(
                Wave.cohort == wave.cohort,
                Wave.school_unit_code == wave.school_unit_code,
                Wave.kind == WaveKind.pre,
                Wave.respondents > 0,
            )
        )
        if pre is not None:
            matched_pre = int((await _found_in(session, codes, pre.id)).sum())
    most = by_school.most_common(1)
    return CohortMatch(
        respondents=batch.count,
        in_other_schools=int(elsewhere.sum()),
        matched_pre=matched_pre,
        most_in_school=most[0][0] if most and most[0][1] else None,
    )
