"""GET /effects and GET /reliability against an independent computation (SciPy, pingouin)
on generated data uploaded as semicolon CSV (pre) and JSON (post), to 1e-9; and the edge
cases: n = 1, zero variance, missing items, a school with no post wave."""

from __future__ import annotations

import math
from typing import Any

import httpx
import numpy as np
import pytest

from tests.mvp_evaluation.analyses import reference
from tests.mvp_evaluation.analyses.reference import CODES, ITEMS, Answers, School
from tests.mvp_evaluation.analyses.support import PAIRED_FIELDS, effects, upload
from tests.mvp_evaluation.support import BASE, Survey, csv_text
from tests.support import Schema, Tokens

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")  # pingouin on pandas 3


def close(actual: Any, expected: float) -> None:
    assert actual == pytest.approx(expected, rel=1e-9, abs=1e-9)


def assert_paired(actual: dict[str, Any], expected: dict[str, float]) -> None:
    assert actual["suppressed"] is False
    for name in PAIRED_FIELDS:
        close(actual[name], expected[name])


@pytest.fixture
def generated() -> list[School]:
    rng = np.random.default_rng(20190916)
    return [
        reference.generate(rng, "11111111", "intervention", 60, 0.5),
        reference.generate(rng, "22222222", "intervention", 45, 0.5),
        reference.generate(rng, "33333333", "comparison", 55, 0.1),
        reference.generate(rng, "44444444", "comparison", 40, 0.1),
    ]


class TestAgainstIndependentComputation:
    async def test_effects_match_scipy_pingouin_and_morris(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, generated: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, generated)

        body = await effects(client, tokens.evaluator)

        assert (body["scale"], body["cohort"]) == ("attityd", "2019")
        by_code = {school["school_unit_code"]: school for school in body["schools"]}
        assert list(by_code) == [school.code for school in generated]
        for school in generated:
            assert by_code[school.code]["arm"] == school.arm
            assert_paired(
                by_code[school.code]["paired"], reference.paired(*reference.pairs([school]))
            )
        treated = [s for s in generated if s.arm == "intervention"]
        control = [s for s in generated if s.arm == "comparison"]
        assert_paired(body["pooled"]["paired"], reference.paired(*reference.pairs(treated)))
        controlled = body["controlled"]
        assert controlled["n_intervention"] == len(reference.pairs(treated)[0])
        assert controlled["n_comparison"] == len(reference.pairs(control)[0])
        assert controlled["suppressed"] is False
        close(controlled["d_ppc2"], reference.d_ppc2(treated, control))
        close(body["icc"], reference.icc1(generated))
        assert body["icc_suppressed"] is False

    async def test_the_known_effect_shows(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, generated: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, generated)

        body = await effects(client, tokens.evaluator)

        pooled = body["pooled"]["paired"]
        assert pooled["ci95_low"] > 0
        assert pooled["p_value"] < 0.001
        assert body["controlled"]["d_ppc2"] > 0.2

    async def test_another_scale_uses_only_its_items(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, generated: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, generated)

        body = await effects(client, tokens.evaluator, "ingripande")

        school = generated[0]
        expected = reference.paired(*reference.pairs([school], "ingripande"))
        assert_paired(body["schools"][0]["paired"], expected)
        close(body["icc"], reference.icc1(generated, "ingripande"))

    async def test_reliability_matches_pingouin_on_complete_cases(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, generated: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        waves = await upload(survey, generated)
        school = generated[0]

        response = await client.get(
            f"{BASE}/reliability",
            params={"scale": "attityd", "wave": waves[school.code]},
            headers=tokens.evaluator,
        )

        assert response.status_code == 200
        body = response.json()
        n, alpha = reference.alpha(list(school.pre.values()))
        assert (body["scale"], body["wave"], body["items"]) == ("attityd", waves[school.code], 6)
        assert body["n"] == n
        close(body["alpha"], alpha)
        assert body["suppressed"] is False


def fixed(code: str, arm: str, pre: dict[str, Answers], post: dict[str, Answers]) -> School:
    return School(code, arm, pre, post)


def answers(*attityd: int | None) -> Answers:
    """Six attityd answers (q2 and q5 are reversed) and two blank ingripande ones."""
    return [*attityd, None, None]


# One pair only: b answers only 2 of 6 items at post, so has no score there.
ONE_PAIR = fixed(
    "11111111",
    "intervention",
    {"a": answers(3, 3, 3, 3, 3, 3), "b": answers(4, 2, 4, 4, 2, 4)},
    {"a": answers(5, 1, 5, 5, 1, 5), "b": answers(5, None, None, None, None, 5)},
)
# Every pupil gains exactly 1 (no variance); c answers exactly half of the items at pre.
NO_VARIANCE = fixed(
    "22222222",
    "intervention",
    {
        "a": answers(1, 5, 1, 1, 5, 1),
        "b": answers(2, 4, 2, 2, 4, 2),
        "c": answers(3, None, None, None, 3, 3),
    },
    {
        "a": answers(2, 4, 2, 2, 4, 2),
        "b": answers(3, 3, 3, 3, 3, 3),
        "c": answers(4, 2, 4, 4, 2, 4),
    },
)
NO_POST = fixed(
    "33333333",
    "comparison",
    {"a": answers(1, 5, 1, 1, 5, 1), "b": answers(5, 1, 5, 5, 1, 5)},
    {},
)
ONE_PAIR_READ = dict.fromkeys(PAIRED_FIELDS) | {
    "n": 1,
    "mean_pre": 3.0,
    "mean_post": 5.0,
    "mean_diff": 2.0,
    "suppressed": False,
}
# SciPy says t = inf, p = 0; d_z has no value: all undefined.
NO_VARIANCE_READ = dict.fromkeys(PAIRED_FIELDS) | {
    "n": 3,
    "mean_pre": 2.0,
    "mean_post": 3.0,
    "mean_diff": 1.0,
    "sd_diff": 0.0,
    "ci95_low": 1.0,
    "ci95_high": 1.0,
    "suppressed": False,
}


class TestEdgeCases:
    async def test_n_1_zero_variance_missing_items_and_no_post_wave(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, [ONE_PAIR, NO_VARIANCE, NO_POST])

        body = await effects(client, tokens.evaluator)

        schools = {school["school_unit_code"]: school["paired"] for school in body["schools"]}
        assert schools["11111111"] == ONE_PAIR_READ
        assert schools["22222222"] == NO_VARIANCE_READ
        assert schools["33333333"] == dict.fromkeys(PAIRED_FIELDS) | {"n": 0, "suppressed": False}
        pooled = body["pooled"]["paired"]
        assert_paired(pooled, reference.paired(*reference.pairs([ONE_PAIR, NO_VARIANCE])))
        # No comparison school has a pair: d_ppc2 and the multilevel model are undefined.
        multilevel = body["controlled"].pop("multilevel")
        assert body["controlled"] == {
            "n_intervention": 4,
            "n_comparison": 0,
            "d_ppc2": None,
            "suppressed": False,
        }
        assert multilevel["reason"].startswith("0 comparison school(s) with paired respondents")
        assert multilevel["estimate"] is None
        # The school without a post wave still counts towards the ICC of the pre scores.
        close(body["icc"], reference.icc1([ONE_PAIR, NO_VARIANCE, NO_POST]))

    async def test_alpha_is_null_below_two_complete_cases_or_without_variance(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        school = await survey.school()
        single, constant = await survey.wave(school, "pre"), await survey.wave(school, "post")
        rows_single: list[tuple[str, Answers]] = [
            ("a", answers(1, 2, 3, 4, 5, 1)),
            ("b", answers(1, None, 3, 4, 5, 1)),
        ]
        rows_constant: list[tuple[str, Answers]] = [
            ("a", answers(3, 3, 3, 3, 3, 3)),
            ("b", answers(3, 3, 3, 3, 3, 3)),
        ]
        await survey.post(single, csv_text(rows_single, CODES))
        await survey.post(constant, csv_text(rows_constant, CODES))

        read = [
            (
                await client.get(
                    f"{BASE}/reliability",
                    params={"scale": "attityd", "wave": wave},
                    headers=tokens.evaluator,
                )
            ).json()
            for wave in (single, constant)
        ]

        assert [(r["n"], r["alpha"]) for r in read] == [(1, None), (2, None)]

    async def test_icc_is_not_truncated_at_zero(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        # Two schools with the same mean and a spread within each: MSB < MSW, ICC < 0.
        first = fixed(
            "11111111",
            "intervention",
            {"a": answers(1, 5, 1, 1, 5, 1), "b": answers(5, 1, 5, 5, 1, 5)},
            {},
        )
        second = fixed(
            "22222222",
            "comparison",
            {"a": answers(2, 4, 2, 2, 4, 2), "b": answers(4, 2, 4, 4, 2, 4)},
            {},
        )
        await upload(survey, [first, second])

        body = await effects(client, tokens.evaluator)

        expected = reference.icc1([first, second])
        assert expected < 0
        close(body["icc"], expected)
        assert not math.isnan(body["icc"])


class TestNotFound:
    @pytest.mark.parametrize(
        "params",
        [{"scale": "attityd", "cohort": "2020"}, {"scale": "okänd", "cohort": "2019"}],
    )
    async def test_an_unknown_cohort_or_scale_is_404(
        self,
        survey: Survey,
        client: httpx.AsyncClient,
        tokens: Tokens,
        schema: Schema,
        params: dict[str, str],
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await survey.wave(await survey.school(), "pre")
        before = await schema.counts()

        response = await client.get(f"{BASE}/effects", params=params, headers=tokens.reader)

        assert response.status_code == 404
        assert response.json()["type"] == "not-found"
        assert await schema.counts() == before

    async def test_a_missing_parameter_is_422(
        self, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        before = await schema.counts()

        response = await client.get(
            f"{BASE}/effects", params={"scale": "attityd"}, headers=tokens.reader
        )

        assert response.status_code == 422
        assert response.json()["type"] == "validation-error"
        assert await schema.counts() == before
