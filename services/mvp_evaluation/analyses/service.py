"""Effects (paired, pooled, controlled, ICC) and reliability, as DESIGN.md defines them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import numpy.typing as npt
from sqlalchemy.ext.asyncio import AsyncSession

from common.problems import Forbidden, NotFound
from services.mvp_evaluation.analyses import multilevel, repository, statistics
from services.mvp_evaluation.analyses.schemas import (
    Comparison,
    ControlledRead,
    EffectsRead,
    MultilevelRead,
    PairedRead,
    PooledRead,
    ReliabilityRead,
    SchoolEffect,
)
from services.mvp_evaluation.analyses.statistics import Scores
from services.mvp_evaluation.analyses.suppression import Viewer
from services.mvp_evaluation.responses import scores
from services.mvp_evaluation.schools.schemas import Arm
from services.mvp_evaluation.waves import repository as waves
from services.mvp_evaluation.waves.schemas import WaveKind


def _empty() -> Scores:
    return np.empty(0, dtype=np.float64)


@dataclass
class SchoolScores:
    """One school's scale scores in the cohort: every pre score, and the pairs."""

    code: str
    arm: Arm
    owner: str
    pre_all: Scores = field(default_factory=_empty)
    pre: Scores = field(default_factory=_empty)
    post: Scores = field(default_factory=_empty)

    def arrays(self) -> tuple[Scores, Scores]:
        return self.pre, self.post


@dataclass
class WaveScores:
    """A wave's stored scores, batch by batch: respondent keys and scores."""

    keys: list[bytes] = field(default_factory=list)
    scores: list[bytes] = field(default_factory=list)

    def scored(self) -> tuple[npt.NDArray[np.uint64], Scores]:
        """The keys and scores of the respondents with a score."""
        if not self.keys:
            return np.empty((0, 2), dtype=np.uint64), _empty()
        keys = np.concatenate([scores.decode_keys(data) for data in self.keys])
        values = np.concatenate([scores.decode_scores(data) for data in self.scores])
        present = ~np.isnan(values)
        return keys[present], values[present]


def _paired_read(pre: Scores, post: Scores, *, hidden: bool) -> PairedRead:
    if hidden:
        return PairedRead(**dict.fromkeys(PairedRead.model_fields) | {"suppressed": True})
    return PairedRead(**asdict(statistics.paired(pre, post)), suppressed=False)


def _multilevel_read(schools: Sequence[SchoolScores], sd_pre: float | None) -> MultilevelRead:
    model = [
        multilevel.School(school.pre, school.post, school.arm == Arm.intervention)
        for school in schools
    ]
    return MultilevelRead(**asdict(multilevel.multilevel(model, sd_pre)), suppressed=False)


def _controlled(schools: Sequence[SchoolScores], viewer: Viewer) -> ControlledRead:
    """d_ppc2 and the multilevel estimate, hidden together under the arms' small-cell rule."""
    pre_t, post_t, parts_t = _arm(schools, Arm.intervention)
    pre_c, post_c, parts_c = _arm(schools, Arm.comparison)
    if viewer.group_hidden(parts_t) or viewer.group_hidden(parts_c):
        hidden = dict.fromkeys(MultilevelRead.model_fields) | {"suppressed": True}
        return ControlledRead(
            n_intervention=None,
            n_comparison=None,
            d_ppc2=None,
            multilevel=MultilevelRead(**hidden),
            suppressed=True,
        )
    return ControlledRead(
        n_intervention=len(pre_t),
        n_comparison=len(pre_c),
        d_ppc2=statistics.d_ppc2(pre_t, post_t, pre_c, post_c),
        multilevel=_multilevel_read(schools, statistics.sd_pre_pooled(pre_t, pre_c)),
        suppressed=False,
    )


def _arm(schools: Sequence[SchoolScores], arm: Arm) -> tuple[Scores, Scores, list[tuple[str, int]]]:
    """An arm's pairs, and its schools' owners and numbers of pairs."""
    members = [school for school in schools if school.arm == arm]
    pre = np.concatenate([_empty(), *(school.pre for school in members)])
    post = np.concatenate([_empty(), *(school.post for school in members)])
    return pre, post, [(school.owner, len(school.pre)) for school in members]


async def _scores(
    session: AsyncSession, scale: str, cohort: str, compare: Comparison
) -> list[SchoolScores]:
    after = WaveKind(compare.value)
    schools = {
        code: SchoolScores(code, Arm(arm), owner)
        for code, arm, owner in await repository.cohort_schools(session, cohort, after)
    }
    if not schools:
        raise NotFound(f"No pre or {after} waves in cohort {cohort}.")
    if not await repository.scale_in_cohort(session, cohort, scale, after):
        raise NotFound(f"No scale {scale} in the instruments of cohort {cohort}.")
    by_wave: dict[tuple[str, str], WaveScores] = {}
    stored = await repository.stored_scores(session, cohort, scale, after)
    for code, kind, keys, values in stored:
        wave = by_wave.setdefault((code, kind), WaveScores())
        wave.keys.append(keys)
        wave.scores.append(values)
    for code, school in schools.items():
        pre_keys, pre = by_wave.get((code, WaveKind.pre), WaveScores()).scored()
        post_keys, post = by_wave.get((code, after), WaveScores()).scored()
        at_pre, at_post = scores.match(pre_keys, post_keys)
        school.pre_all, school.pre, school.post = pre, pre[at_pre], post[at_post]
    return list(schools.values())


async def effects(
    session: AsyncSession,
    *,
    scale: str,
    cohort: str,
    compare: Comparison = Comparison.post,
    viewer: Viewer,
) -> EffectsRead:
    """Paired effects (pre → `compare`) per school and pooled over the intervention schools,
    d_ppc2 against the comparison schools, and the ICC of the pre scores; what `viewer` may
    not see hidden."""
    schools = await _scores(session, scale, cohort, compare)
    school_reads = []
    for school in schools:
        withheld = viewer.withheld(school.owner, len(school.pre))
        school_reads.append(
            SchoolEffect(
                school_unit_code=school.code,
                arm=school.arm,
                paired=_paired_read(*school.arrays(), hidden=withheld is not None),
                withheld=withheld,
            )
        )
    pre_t, post_t, parts_t = _arm(schools, Arm.intervention)
    controlled = _controlled(schools, viewer)
    icc_hidden = viewer.group_hidden([(school.owner, len(school.pre_all)) for school in schools])
    icc_groups = [school.pre_all for school in schools]
    return EffectsRead(
        scale=scale,
        cohort=cohort,
        compare=compare,
        schools=school_reads,
        pooled=PooledRead(paired=_paired_read(pre_t, post_t, hidden=viewer.group_hidden(parts_t))),
        controlled=controlled,
        icc=None if icc_hidden else statistics.icc1(icc_groups),
        icc_suppressed=icc_hidden,
    )


async def reliability(
    session: AsyncSession, *, scale: str, wave_id: int, viewer: Viewer
) -> ReliabilityRead:
    """Cronbach's alpha of a scale in a wave, on complete cases, reverse items recoded; 403
    when the wave's school is one whose figures `viewer` may not see."""
    wave = await waves.get(session, wave_id)
    if wave is None:
        raise NotFound(f"No wave {wave_id}.")
    owner = await repository.school_owner(session, wave.school_unit_code)
    if viewer.not_shown_school(owner) is not None:
        raise Forbidden(
            f"Wave {wave_id} is of a school whose own figures this client may not see: an "
            "organiser sees its own schools' figures, a reader or an RSS pooled figures only."
        )
    items = await repository.scale_items(session, wave, scale)
    if not items:
        raise NotFound(f"No scale {scale} in the instrument of wave {wave_id}.")
    rows = await repository.complete_cases(session, wave_id, [item.position for item in items])
    answers = np.array(rows, dtype=np.float64).reshape(len(rows), len(items))
    for j, item in enumerate(items):
        if item.reverse:
            answers[:, j] = item.min + item.max - answers[:, j]
    hidden = viewer.withheld(owner, len(rows)) is not None
    return ReliabilityRead(
        scale=scale,
        wave=wave_id,
        n=None if hidden else len(rows),
        items=len(items),
        alpha=None if hidden else statistics.cronbach_alpha(answers),
        suppressed=hidden,
    )
