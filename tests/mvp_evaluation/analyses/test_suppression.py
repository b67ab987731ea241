"""Small cells: for roles other than evaluator and admin, every figure from fewer than
KVF_MIN_CELL_SIZE respondents (default 10) is null with `suppressed: true`, in every
response that carries it, pooled figures included when they would let a hidden school be
derived by subtraction."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
import pytest

from tests.mvp_evaluation.analyses.reference import ITEMS, Answers, School
from tests.mvp_evaluation.analyses.support import (
    MULTILEVEL_FIELDS,
    PAIRED_FIELDS,
    effects,
    upload,
)
from tests.mvp_evaluation.support import BASE, GatewayWith, Survey
from tests.support import Tokens

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")
HIDDEN = dict.fromkeys(PAIRED_FIELDS) | {"suppressed": True}


def complete(code: str, arm: str, n: int, seed: int) -> School:
    """`n` pupils answering every item at pre and post: exactly `n` pairs."""
    rng = np.random.default_rng(seed)

    def answers() -> Answers:
        return [int(v) for v in rng.integers(1, 5, size=len(ITEMS))]

    pupils = [f"{code[-2:]}-{p}" for p in range(n)]
    return School(code, arm, {p: answers() for p in pupils}, {p: answers() for p in pupils})


def shown(paired: dict[str, Any]) -> bool:
    return paired["suppressed"] is False and paired["n"] is not None


@pytest.fixture
def schools() -> list[School]:
    return [
        complete("11111111", "intervention", 30, 1),
        complete("22222222", "intervention", 9, 2),
        complete("33333333", "comparison", 20, 3),
        complete("44444444", "comparison", 10, 4),
    ]


class TestReaders:
    async def test_a_readers_view_of_a_small_school_is_null_and_suppressed(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, schools: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, schools)

        body = await effects(client, tokens.reader)

        paired = {s["school_unit_code"]: s["paired"] for s in body["schools"]}
        assert paired["22222222"] == HIDDEN
        assert shown(paired["11111111"])
        assert paired["11111111"]["n"] == 30
        assert shown(paired["44444444"])  # exactly the limit is shown
        assert paired["44444444"]["n"] == 10

    async def test_pooled_controlled_and_icc_are_hidden_when_they_would_reveal_a_small_school(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, schools: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, schools)

        body = await effects(client, tokens.reader)

        # pooled − school 11111111 would give school 22222222's 9 pupils
        assert body["pooled"]["paired"] == HIDDEN
        hidden_model = dict.fromkeys(MULTILEVEL_FIELDS) | {"reason": None, "suppressed": True}
        assert body["controlled"] == {
            "n_intervention": None,
            "n_comparison": None,
            "d_ppc2": None,
            "multilevel": hidden_model,
            "suppressed": True,
        }
        assert (body["icc"], body["icc_suppressed"]) == (None, True)

    async def test_pooled_is_shown_when_the_hidden_schools_together_reach_the_limit(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, schools: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, [*schools, complete("55555555", "intervention", 6, 5)])

        body = await effects(client, tokens.reader)

        paired = {s["school_unit_code"]: s["paired"] for s in body["schools"]}
        assert paired["22222222"] == paired["55555555"] == HIDDEN
        # Subtraction now gives only the two hidden schools together: 15 pupils.
        assert shown(body["pooled"]["paired"])
        assert body["pooled"]["paired"]["n"] == 45
        assert body["controlled"]["suppressed"] is False
        assert body["controlled"]["n_intervention"] == 45
        assert body["controlled"]["multilevel"]["suppressed"] is False
        assert body["icc"] is not None

    @pytest.mark.parametrize("role", ["rss", "organiser"])
    async def test_every_role_but_evaluator_and_admin_sees_it_suppressed(
        self,
        survey: Survey,
        client: httpx.AsyncClient,
        tokens: Tokens,
        schools: list[School],
        role: str,
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, schools)
        headers = tokens.rss("01") if role == "rss" else tokens.organiser("212000-0142")

        body = await effects(client, headers)

        assert body["schools"][1]["paired"] == HIDDEN
        assert body["pooled"]["paired"] == HIDDEN

    @pytest.mark.parametrize("role", ["evaluator", "admin"])
    async def test_evaluators_and_admins_see_every_figure(
        self,
        survey: Survey,
        client: httpx.AsyncClient,
        tokens: Tokens,
        schools: list[School],
        role: str,
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, schools)

        body = await effects(client, getattr(tokens, role))

        assert all(shown(s["paired"]) for s in body["schools"])
        assert body["schools"][1]["paired"]["n"] == 9
        assert shown(body["pooled"]["paired"])
        assert body["controlled"]["suppressed"] is False
        assert body["controlled"]["multilevel"]["suppressed"] is False
        assert body["icc"] is not None

    async def test_reliability_of_a_small_wave_is_suppressed_for_a_reader(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, schools: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        waves = await upload(survey, schools)
        params: dict[str, str | int] = {"scale": "attityd", "wave": waves["22222222"]}

        reader = await client.get(f"{BASE}/reliability", params=params, headers=tokens.reader)
        evaluator = await client.get(f"{BASE}/reliability", params=params, headers=tokens.evaluator)

        assert reader.json() | {"wave": None} == {
            "scale": "attityd",
            "wave": None,
            "n": None,
            "items": 6,
            "alpha": None,
            "suppressed": True,
        }
        assert evaluator.json()["n"] == 9
        assert evaluator.json()["suppressed"] is False


class TestLimit:
    async def test_the_limit_follows_kvf_min_cell_size(
        self, gateway_with: GatewayWith, tokens: Tokens, schools: list[School]
    ) -> None:
        async with gateway_with(min_cell_size=5) as client:
            survey = Survey(client, tokens)
            await survey.instrument(item_list=ITEMS)
            await upload(survey, schools)

            body = await effects(client, tokens.reader)

        assert all(shown(s["paired"]) for s in body["schools"])
        assert body["schools"][1]["paired"]["n"] == 9
        assert shown(body["pooled"]["paired"])
