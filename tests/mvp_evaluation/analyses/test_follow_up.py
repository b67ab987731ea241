"""GET /effects?compare=follow_up: the paired and controlled figures from pre to the
follow-up wave against the independent computation (SciPy, pingouin, Morris written out) to
1e-9, as test_effects.py does for post; GET /reliability of a follow-up wave; and a bad
`compare` is 422."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

from tests.mvp_evaluation.analyses import reference
from tests.mvp_evaluation.analyses.reference import ITEMS, School
from tests.mvp_evaluation.analyses.support import PAIRED_FIELDS, effects, upload, upload_waves
from tests.mvp_evaluation.analyses.test_effects import assert_paired, close
from tests.mvp_evaluation.support import BASE, Survey
from tests.support import Schema, Tokens

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")  # pingouin on pandas 3


@pytest.fixture
def generated() -> list[School]:
    """Four schools with pre, post and follow-up waves; the follow-up effect (0.3 against 0)
    differs from the post effect (0.5 against 0.1), so a mix-up of the waves shows."""
    rng = np.random.default_rng(20210915)
    schools = [
        reference.generate(rng, "11111111", "intervention", 50, 0.5),
        reference.generate(rng, "22222222", "intervention", 40, 0.5),
        reference.generate(rng, "33333333", "comparison", 45, 0.1),
        reference.generate(rng, "44444444", "comparison", 35, 0.1),
    ]
    for school in schools:
        reference.add_follow_up(rng, school, 0.3 if school.arm == "intervention" else 0.0)
    return schools


class TestFollowUp:
    async def test_follow_up_figures_match_scipy_pingouin_and_morris(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, generated: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, generated)

        body = await effects(client, tokens.evaluator, compare="follow_up")

        assert (body["scale"], body["cohort"], body["compare"]) == ("attityd", "2019", "follow_up")
        by_code = {school["school_unit_code"]: school for school in body["schools"]}
        assert list(by_code) == [school.code for school in generated]
        for school in generated:
            expected = reference.paired(*reference.pairs([school], wave="follow_up"))
            assert_paired(by_code[school.code]["paired"], expected)
        treated = [s for s in generated if s.arm == "intervention"]
        control = [s for s in generated if s.arm == "comparison"]
        pooled = reference.paired(*reference.pairs(treated, wave="follow_up"))
        assert_paired(body["pooled"]["paired"], pooled)
        controlled = body["controlled"]
        assert controlled["n_intervention"] == len(reference.pairs(treated, wave="follow_up")[0])
        assert controlled["n_comparison"] == len(reference.pairs(control, wave="follow_up")[0])
        assert controlled["suppressed"] is False
        close(controlled["d_ppc2"], reference.d_ppc2(treated, control, wave="follow_up"))
        close(body["icc"], reference.icc1(generated))

    async def test_post_is_the_default_and_differs_from_follow_up(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, generated: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, generated)

        default = await effects(client, tokens.evaluator)
        post = await effects(client, tokens.evaluator, compare="post")
        follow_up = await effects(client, tokens.evaluator, compare="follow_up")

        assert default == post
        assert post["compare"] == "post"
        treated = [s for s in generated if s.arm == "intervention"]
        assert_paired(post["pooled"]["paired"], reference.paired(*reference.pairs(treated)))
        assert post["pooled"]["paired"]["n"] != follow_up["pooled"]["paired"]["n"]
        assert post["icc"] == follow_up["icc"]  # the pre scores, whatever the comparison

    async def test_a_cohort_without_follow_up_gives_no_pairs(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, generated: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        for school in generated:
            school.follow_up = {}
        await upload(survey, generated)

        body = await effects(client, tokens.evaluator, compare="follow_up")

        empty = dict.fromkeys(PAIRED_FIELDS) | {"n": 0, "suppressed": False}
        assert [school["paired"] for school in body["schools"]] == [empty] * 4
        controlled = body["controlled"]
        assert (controlled["n_intervention"], controlled["n_comparison"]) == (0, 0)
        assert (controlled["d_ppc2"], controlled["suppressed"]) == (None, False)
        close(body["icc"], reference.icc1(generated))

    async def test_reliability_of_a_follow_up_wave_matches_pingouin(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, generated: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        waves = await upload_waves(survey, generated)
        school = generated[2]
        wave = waves[school.code]["follow_up"]

        response = await client.get(
            f"{BASE}/reliability",
            params={"scale": "attityd", "wave": wave},
            headers=tokens.evaluator,
        )

        assert response.status_code == 200
        body = response.json()
        n, alpha = reference.alpha(list(school.follow_up.values()))
        assert (body["scale"], body["wave"], body["items"], body["n"]) == ("attityd", wave, 6, n)
        assert n >= 10  # above the small-cell limit: the reader sees it
        close(body["alpha"], alpha)
        assert body["suppressed"] is False


class TestBadComparison:
    @pytest.mark.parametrize("compare", ["bad", "pre", "", "FOLLOW_UP"])
    async def test_an_unknown_comparison_is_422_and_changes_nothing(
        self, client: httpx.AsyncClient, tokens: Tokens, schema: Schema, compare: str
    ) -> None:
        before = await schema.counts()

        response = await client.get(
            f"{BASE}/effects",
            params={"scale": "attityd", "cohort": "2019", "compare": compare},
            headers=tokens.evaluator,
        )

        assert response.status_code == 422
        assert response.json()["type"] == "validation-error"
        assert await schema.counts() == before

    async def test_a_cohort_with_neither_pre_nor_follow_up_is_404(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await survey.wave(await survey.school(), "post", cohort="2020")

        response = await client.get(
            f"{BASE}/effects",
            params={"scale": "attityd", "cohort": "2020", "compare": "follow_up"},
            headers=tokens.evaluator,
        )

        assert response.status_code == 404
        assert response.json()["type"] == "not-found"
        assert "follow_up" in response.json()["detail"]
