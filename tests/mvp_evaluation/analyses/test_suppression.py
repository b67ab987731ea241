"""Who sees which school, and small cells. Evaluators and admins see every figure; an
organiser sees its own schools' figures and the pooled ones; a reader or an RSS the pooled
ones only. For every role but evaluator and admin, a figure from fewer than
KVF_MIN_CELL_SIZE respondents (default 10) is null with `suppressed: true`, and a figure over
several schools is null when the schools hidden from the caller could be recovered from it
by subtraction."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.mvp_evaluation.analyses.suppression import Viewer
from tests.mvp_evaluation.analyses.reference import ITEMS, Answers, School
from tests.mvp_evaluation.analyses.support import (
    MULTILEVEL_FIELDS,
    PAIRED_FIELDS,
    effects,
    upload,
)
from tests.mvp_evaluation.support import BASE, ORGANISATIONS, GatewayWith, Survey
from tests.support import Tokens

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")
HIDDEN = dict.fromkeys(PAIRED_FIELDS) | {"suppressed": True}
HIDDEN_CONTROLLED = {
    "n_intervention": None,
    "n_comparison": None,
    "d_ppc2": None,
    "multilevel": dict.fromkeys(MULTILEVEL_FIELDS) | {"reason": None, "suppressed": True},
    "suppressed": True,
}
A, B, C = ORGANISATIONS[:3]


def complete(code: str, arm: str, n: int, seed: int, owner: str = A) -> School:
    """`n` pupils answering every item at pre and post: exactly `n` pairs."""
    rng = np.random.default_rng(seed)

    def answers() -> Answers:
        return [int(v) for v in rng.integers(1, 5, size=len(ITEMS))]

    pupils = [f"{code[-2:]}-{p}" for p in range(n)]
    return School(
        code, arm, {p: answers() for p in pupils}, {p: answers() for p in pupils}, owner=owner
    )


def shown(paired: dict[str, Any]) -> bool:
    return paired["suppressed"] is False and paired["n"] is not None


def by_school(body: dict[str, Any]) -> dict[str, tuple[dict[str, Any], str | None]]:
    return {s["school_unit_code"]: (s["paired"], s["withheld"]) for s in body["schools"]}


@pytest.fixture
def schools() -> list[School]:
    """Organiser A's four schools, one of them (22222222) a small cell."""
    return [
        complete("11111111", "intervention", 30, 1),
        complete("22222222", "intervention", 9, 2),
        complete("33333333", "comparison", 20, 3),
        complete("44444444", "comparison", 10, 4),
    ]


@pytest.fixture
def shared() -> list[School]:
    """Schools of organisers A and B in both arms, and C's in the intervention arm."""
    return [
        complete("11111111", "intervention", 30, 1, owner=A),
        complete("22222222", "intervention", 20, 2, owner=B),
        complete("33333333", "comparison", 20, 3, owner=A),
        complete("44444444", "comparison", 15, 4, owner=B),
    ]


class TestReaders:
    @pytest.mark.parametrize("role", ["reader", "rss"])
    async def test_readers_and_rss_see_pooled_figures_only(
        self,
        survey: Survey,
        client: httpx.AsyncClient,
        tokens: Tokens,
        schools: list[School],
        role: str,
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, schools)
        headers = tokens.reader if role == "reader" else tokens.rss("01")

        body = await effects(client, headers)

        for paired, withheld in by_school(body).values():
            assert (paired, withheld) == (HIDDEN, "pooled_only")
        # The pooled figures are over two hidden schools with 39 pupils: neither is recoverable.
        assert shown(body["pooled"]["paired"])
        assert body["pooled"]["paired"]["n"] == 39
        assert body["controlled"]["suppressed"] is False
        assert (body["controlled"]["n_intervention"], body["controlled"]["n_comparison"]) == (
            39,
            30,
        )
        assert body["controlled"]["multilevel"]["suppressed"] is False
        assert body["icc"] is not None

    async def test_a_pooled_figure_of_one_school_is_that_school_and_is_hidden(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, schools: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, [schools[0], schools[2], schools[3]])

        body = await effects(client, tokens.reader)

        assert body["pooled"]["paired"] == HIDDEN
        assert body["controlled"] == HIDDEN_CONTROLLED
        assert body["icc"] is not None  # three schools, 60 pupils

    async def test_a_readers_reliability_of_a_wave_is_403(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, schools: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        waves = await upload(survey, schools)
        params: dict[str, str | int] = {"scale": "attityd", "wave": waves["11111111"]}

        response = await client.get(f"{BASE}/reliability", params=params, headers=tokens.reader)

        assert response.status_code == 403
        assert response.json()["type"] == "forbidden"
        assert "pooled figures only" in response.json()["detail"]


class TestOrganisers:
    async def test_an_organiser_sees_its_own_schools_but_not_its_small_cells(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, schools: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, schools)

        body = await effects(client, tokens.organiser(A))

        seen = by_school(body)
        assert seen["22222222"] == (HIDDEN, "small_cell")
        assert shown(seen["11111111"][0])
        assert seen["11111111"][1] is None
        assert seen["11111111"][0]["n"] == 30
        assert seen["44444444"][0]["n"] == 10  # exactly the limit is shown
        # pooled − school 11111111 would give school 22222222's 9 pupils
        assert body["pooled"]["paired"] == HIDDEN
        assert body["controlled"] == HIDDEN_CONTROLLED
        assert (body["icc"], body["icc_suppressed"]) == (None, True)

    async def test_pooled_is_shown_when_the_hidden_schools_together_reach_the_limit(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, schools: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, [*schools, complete("55555555", "intervention", 6, 5)])

        body = await effects(client, tokens.organiser(A))

        seen = by_school(body)
        assert seen["22222222"] == seen["55555555"] == (HIDDEN, "small_cell")
        # Subtraction now gives only the two hidden schools together: 15 pupils.
        assert shown(body["pooled"]["paired"])
        assert body["pooled"]["paired"]["n"] == 45
        assert body["controlled"]["suppressed"] is False
        assert body["controlled"]["n_intervention"] == 45
        assert body["controlled"]["multilevel"]["suppressed"] is False
        assert body["icc"] is not None

    async def test_another_organisers_school_is_withheld_and_not_recoverable(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, shared: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, shared)

        as_a = await effects(client, tokens.organiser(A))
        as_b = await effects(client, tokens.organiser(B))

        seen_a, seen_b = by_school(as_a), by_school(as_b)
        assert seen_a["22222222"] == seen_a["44444444"] == (HIDDEN, "other_organiser")
        assert shown(seen_a["11111111"][0])
        assert shown(seen_a["33333333"][0])
        assert seen_b["11111111"] == seen_b["33333333"] == (HIDDEN, "other_organiser")
        assert seen_b["22222222"][0]["n"] == 20
        # Each arm has one school of each: pooled − own school = the other's school. The ICC
        # is over the other's two schools together (35 pupils): shown.
        for body in (as_a, as_b):
            assert body["pooled"]["paired"] == HIDDEN
            assert body["controlled"] == HIDDEN_CONTROLLED
            assert body["icc"] is not None

    async def test_with_a_third_organiser_only_the_arm_of_one_hidden_school_is_hidden(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, shared: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, [*shared, complete("55555555", "intervention", 12, 5, owner=C)])

        body = await effects(client, tokens.organiser(A))

        # B's and C's intervention schools (32 pupils) are hidden together; the comparison
        # arm's only hidden school is B's, so the controlled figures stay hidden.
        assert shown(body["pooled"]["paired"])
        assert body["pooled"]["paired"]["n"] == 62
        assert body["controlled"] == HIDDEN_CONTROLLED
        assert body["icc"] is not None

    async def test_reliability_of_another_organisers_wave_is_403_and_of_its_own_shown(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, shared: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        waves = await upload(survey, shared)

        def params(code: str) -> dict[str, str | int]:
            return {"scale": "attityd", "wave": waves[code]}

        other = await client.get(
            f"{BASE}/reliability", params=params("22222222"), headers=tokens.organiser(A)
        )
        own = await client.get(
            f"{BASE}/reliability", params=params("11111111"), headers=tokens.organiser(A)
        )

        assert other.status_code == 403
        assert other.json()["type"] == "forbidden"
        assert own.status_code == 200
        assert own.json()["n"] == 30

    async def test_reliability_of_an_own_small_wave_is_suppressed(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, schools: list[School]
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        waves = await upload(survey, schools)
        params: dict[str, str | int] = {"scale": "attityd", "wave": waves["22222222"]}

        organiser = await client.get(
            f"{BASE}/reliability", params=params, headers=tokens.organiser(A)
        )
        evaluator = await client.get(f"{BASE}/reliability", params=params, headers=tokens.evaluator)

        assert organiser.json() | {"wave": None} == {
            "scale": "attityd",
            "wave": None,
            "n": None,
            "items": 6,
            "alpha": None,
            "suppressed": True,
        }
        assert evaluator.json()["n"] == 9
        assert evaluator.json()["suppressed"] is False


class TestEvaluators:
    @pytest.mark.parametrize("role", ["evaluator", "admin"])
    async def test_evaluators_and_admins_see_every_figure(
        self,
        survey: Survey,
        client: httpx.AsyncClient,
        tokens: Tokens,
        shared: list[School],
        role: str,
    ) -> None:
        await survey.instrument(item_list=ITEMS)
        await upload(survey, [*shared, complete("55555555", "intervention", 9, 5, owner=C)])

        body = await effects(client, getattr(tokens, role))

        assert all(shown(s["paired"]) and s["withheld"] is None for s in body["schools"])
        assert by_school(body)["55555555"][0]["n"] == 9
        assert shown(body["pooled"]["paired"])
        assert body["controlled"]["suppressed"] is False
        assert body["controlled"]["multilevel"]["suppressed"] is False
        assert body["icc"] is not None


class TestLimit:
    async def test_the_limit_follows_kvf_min_cell_size(
        self, gateway_with: GatewayWith, tokens: Tokens, schools: list[School]
    ) -> None:
        async with gateway_with(min_cell_size=5) as client:
            survey = Survey(client, tokens)
            await survey.instrument(item_list=ITEMS)
            await upload(survey, schools)

            body = await effects(client, tokens.organiser(A))

        assert all(shown(s["paired"]) for s in body["schools"])
        assert by_school(body)["22222222"][0]["n"] == 9
        assert shown(body["pooled"]["paired"])


parts = st.lists(st.tuples(st.sampled_from([A, B, C]), st.integers(0, 40)), max_size=6)
viewers = st.sampled_from(
    [Viewer(limit=10, own=A), Viewer(limit=10, own=B), Viewer(limit=10, pooled_only=True)]
)


@given(parts=parts, viewer=viewers)
def test_a_shown_group_never_gives_one_hidden_school_by_subtraction(
    parts: list[tuple[str, int]], viewer: Viewer
) -> None:
    """What subtracting the shown schools from a shown group figure leaves is either nothing
    or two or more hidden schools with at least the limit together."""
    if viewer.group_hidden(parts):
        return
    assert sum(n for _, n in parts) >= 10
    hidden = [n for owner, n in parts if n > 0 and viewer.withheld(owner, n) is not None]
    assert not hidden or (len(hidden) >= 2 and sum(hidden) >= 10)
