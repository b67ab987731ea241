"""controlled.multilevel of GET /effects against statsmodels' MixedLM (REML) with SciPy's t
distribution on n_schools − 2 degrees of freedom, every figure to 1e-6, for post and
follow-up; and the cases the model cannot be fitted: one school in an arm, a singular fit."""

from __future__ import annotations

import warnings
from typing import Any

import httpx
import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs
import pytest
import statsmodels.formula.api as smf  # type: ignore[import-untyped]  # test-only reference
from scipy import stats  # type: ignore[import-untyped]  # no stubs

from tests.mvp_evaluation.analyses import reference
from tests.mvp_evaluation.analyses.reference import ITEMS, School
from tests.mvp_evaluation.analyses.support import MULTILEVEL_FIELDS, effects, upload
from tests.mvp_evaluation.support import Survey
from tests.support import Tokens

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")


def statsmodels_fit(schools: list[School], wave: str) -> dict[str, Any]:
    """Every figure of `multilevel` from statsmodels' MixedLM and scipy.stats.t. The BFGS
    gradient tolerance is tightened from statsmodels' default (whose optimum is only good to
    about 1e-5) so that its optimum is good to 1e-6 and better."""
    rows = []
    for school in schools:
        pre, after = reference.pairs([school], wave=wave)
        arm = 1.0 if school.arm == "intervention" else 0.0
        rows += [
            {"school": school.code, "arm": arm, "pre": a, "after": b}
            for a, b in zip(pre, after, strict=True)
        ]
    data = pd.DataFrame(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = smf.mixedlm("after ~ arm + pre", data, groups=data["school"])
        fit = model.fit(reml=True, method="bfgs", gtol=1e-10)
    n_schools = data["school"].nunique()
    estimate, se = float(fit.fe_params["arm"]), float(fit.bse_fe["arm"])
    t = stats.t(n_schools - 2)
    school_variance = float(fit.cov_re.iloc[0, 0])
    treated = [s for s in schools if s.arm == "intervention"]
    control = [s for s in schools if s.arm == "comparison"]
    return {
        "estimate": estimate,
        "se": se,
        "ci95_low": estimate - t.ppf(0.975) * se,
        "ci95_high": estimate + t.ppf(0.975) * se,
        "p_value": 2 * t.sf(abs(estimate / se)),
        "standardized": estimate / reference.sd_pre_pooled(treated, control, wave),
        "n_schools": n_schools,
        "n_pupils": len(data),
        "icc_conditional": school_variance / (school_variance + float(fit.scale)),
    }


@pytest.fixture
def generated() -> list[School]:
    """Eight schools, six intervention and two comparison as in the Swedish evaluation,
    each school changing by its own amount besides the arm's effect."""
    rng = np.random.default_rng(20200511)
    schools = [
        reference.generate(rng, str(k) * 8, arm, n, effect, drift=0.25)
        for k, arm, n, effect in [
            (1, "intervention", 45, 0.5),
            (2, "intervention", 38, 0.5),
            (3, "intervention", 52, 0.5),
            (4, "intervention", 30, 0.5),
            (5, "intervention", 41, 0.5),
            (6, "intervention", 36, 0.5),
            (7, "comparison", 48, 0.1),
            (8, "comparison", 40, 0.1),
        ]
    ]
    for school in schools:
        effect = 0.3 if school.arm == "intervention" else 0.0
        reference.add_follow_up(rng, school, effect, drift=0.25)
    return schools


class TestAgainstStatsmodels:
    @pytest.mark.parametrize("wave", ["post", "follow_up"])
    async def test_every_figure_matches_mixedlm_to_1e_6(
        self,
        survey: Survey,
        client: httpx.AsyncClient,
        tokens: Tokens,
        generated: list[School],
        wave: str,
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, generated)

        body = await effects(client, tokens.evaluator, compare=wave)

        multilevel = body["controlled"]["multilevel"]
        expected = statsmodels_fit(generated, wave)
        assert (multilevel["reason"], multilevel["suppressed"]) == (None, False)
        assert (multilevel["n_schools"], multilevel["n_pupils"]) == (8, expected["n_pupils"])
        assert expected["icc_conditional"] > 0.001  # not a boundary fit
        for name in MULTILEVEL_FIELDS:
            assert multilevel[name] == pytest.approx(expected[name], rel=1e-6, abs=1e-9), name


def copy(school: School, code: str, arm: str) -> School:
    return School(code, arm, dict(school.pre), dict(school.post))


class TestNotFittable:
    async def test_one_comparison_school_gives_a_reason_and_no_figure(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, generated: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, generated[:7])

        body = await effects(client, tokens.evaluator)

        assert body["controlled"]["d_ppc2"] is not None
        assert body["controlled"]["multilevel"] == dict.fromkeys(MULTILEVEL_FIELDS) | {
            "reason": "1 comparison school(s) with paired respondents; the model needs at least "
            "two schools in each arm.",
            "suppressed": False,
        }

    async def test_a_school_variance_of_zero_is_a_singular_fit(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, generated: list[School]
    ) -> None:
        # Four schools with the very same pupils' scores: nothing varies between schools.
        same = generated[0]
        schools = [
            copy(same, "11111111", "intervention"),
            copy(same, "22222222", "intervention"),
            copy(same, "77777777", "comparison"),
            copy(same, "88888888", "comparison"),
        ]
        await survey.instrument(item_list=ITEMS)
        await upload(survey, schools)

        body = await effects(client, tokens.evaluator)

        multilevel = body["controlled"]["multilevel"]
        assert multilevel["reason"].startswith("Singular fit: the school variance")
        assert [multilevel[name] for name in MULTILEVEL_FIELDS] == [None] * 9
        assert body["controlled"]["d_ppc2"] == pytest.approx(0, abs=1e-12)
        # statsmodels stops short of the boundary (it warns so); near zero is all it gives.
        assert statsmodels_fit(schools, "post")["icc_conditional"] < 1e-3
