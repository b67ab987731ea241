"""Plans: one per county and year, K1 and K2 always, an RSS for its own county only."""

from __future__ import annotations

from tests.goals.support import Goals
from tests.support import Schema, refused, unchanged


class TestRequiredGoals:
    async def test_a_plan_without_k2_is_422_naming_k2_and_nothing_is_saved(
        self, goals: Goals, schema: Schema
    ) -> None:
        body = {"county_code": "12", "year": 2019, "goal_codes": ["K1", "K3"]}
        async with unchanged(schema):
            response = await goals.post("/plans", goals.rss("12"), body)
        problem = refused(response, 422, "validation-error")
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "missing: K2" in problem["detail"]
        assert [e["message"] for e in problem["errors"]] == [
            "K2 is missing: every RSS plan must include K1 and K2"
        ]
        assert problem["errors"][0]["location"] == "body.goal_codes"
        assert (await schema.count("plan"), await schema.count("plan_goal")) == (0, 0)

    async def test_a_plan_without_k1_and_k2_names_both(self, goals: Goals, schema: Schema) -> None:
        body = {"county_code": "12", "year": 2019, "goal_codes": ["K5"]}
        async with unchanged(schema):
            response = await goals.post("/plans", goals.admin, body)
        assert "missing: K1, K2" in refused(response, 422, "validation-error")["detail"]

    async def test_a_plan_with_k1_k2_and_more_is_made(self, goals: Goals) -> None:
        body = {"county_code": "12", "year": 2019, "goal_codes": ["k5", "K2", "A3", "K1"]}
        response = await goals.post("/plans", goals.rss("12"), body)
        assert response.status_code == 201, response.text
        plan = response.json()
        assert plan["county_code"] == "12"
        assert plan["year"] == 2019
        assert plan["goal_codes"] == ["A3", "K1", "K2", "K5"]
        assert plan["indicators"] == []

    async def test_an_unknown_goal_is_422_naming_it(self, goals: Goals, schema: Schema) -> None:
        body = {"county_code": "12", "year": 2019, "goal_codes": ["K1", "K2", "K9"]}
        async with unchanged(schema):
            response = await goals.post("/plans", goals.admin, body)
        assert refused(response, 422, "validation-error")["errors"][0]["value"] == "K9"

    async def test_a_county_plans_with_its_own_goal_but_not_anothers(
        self, goals: Goals, schema: Schema
    ) -> None:
        own = await goals.post("/goals", goals.admin, {"county_code": "12", "title": "Eget"})
        code = own.json()["code"]
        async with unchanged(schema):
            theirs = await goals.post(
                "/plans",
                goals.admin,
                {"county_code": "01", "year": 2019, "goal_codes": ["K1", "K2", code]},
            )
        problem = refused(theirs, 422, "validation-error")
        assert "county 12's own goal" in problem["errors"][0]["message"]
        plan = await goals.plan("12", ("K1", "K2", code), headers=goals.rss("12"))
        assert plan["goal_codes"] == ["K1", "K2", code]


class TestOnePlanPerCountyAndYear:
    async def test_a_second_plan_for_the_same_county_and_year_is_409_plan_exists(
        self, goals: Goals, schema: Schema
    ) -> None:
        first = await goals.plan("12")
        body = {"county_code": "12", "year": 2019, "goal_codes": ["K1", "K2", "K3"]}
        async with unchanged(schema):
            response = await goals.post("/plans", goals.admin, body)
        problem = refused(response, 409, "plan-exists")
        assert problem["plan_id"] == first["id"]
        assert problem["detail"] == "County 12 already has a plan for 2019."
        assert await schema.count("plan") == 1

    async def test_another_year_is_another_plan(self, goals: Goals) -> None:
        await goals.plan("12", year=2019)
        await goals.plan("12", year=2020)


class TestCountyScope:
    async def test_an_rss_may_not_plan_for_another_county(
        self, goals: Goals, schema: Schema
    ) -> None:
        body = {"county_code": "01", "year": 2019, "goal_codes": ["K1", "K2"]}
        async with unchanged(schema):
            response = await goals.post("/plans", goals.rss("12"), body)
        refused(response, 403, "forbidden")
        assert await schema.count("plan") == 0

    async def test_another_countys_plan_is_404_for_an_rss(
        self, goals: Goals, schema: Schema
    ) -> None:
        plan = await goals.plan("01")
        async with unchanged(schema):
            hidden = await goals.get(f"/plans/{plan['id']}", goals.rss("12"))
        refused(hidden, 404, "not-found")
        assert (await goals.get(f"/plans/{plan['id']}", goals.rss("01"))).status_code == 200
        assert (await goals.get(f"/plans/{plan['id']}", goals.admin)).status_code == 200

    async def test_an_rss_lists_its_own_countys_plans_only(self, goals: Goals) -> None:
        await goals.plan("01")
        own = await goals.plan("12")
        listed = await goals.get("/plans", goals.rss("12"))
        assert [plan["id"] for plan in listed.json()["items"]] == [own["id"]]
        asked = await goals.get("/plans", goals.rss("12"), county_code="01")
        assert asked.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}
        assert (await goals.get("/plans", goals.admin)).json()["total"] == 2

    async def test_readers_may_not_plan(self, goals: Goals, schema: Schema) -> None:
        body = {"county_code": "12", "year": 2019, "goal_codes": ["K1", "K2"]}
        async with unchanged(schema):
            response = await goals.post("/plans", goals.reader, body)
        refused(response, 403, "forbidden")

    async def test_an_unknown_plan_is_404(self, goals: Goals, schema: Schema) -> None:
        async with unchanged(schema):
            response = await goals.get("/plans/999", goals.admin)
        refused(response, 404, "not-found")


class TestIdempotency:
    async def test_a_retried_plan_with_the_same_key_is_replayed_not_made_twice(
        self, goals: Goals, schema: Schema
    ) -> None:
        body = {"county_code": "12", "year": 2019, "goal_codes": ["K1", "K2"]}
        headers = {**goals.rss("12"), "Idempotency-Key": "plan-12-2019"}
        first = await goals.post("/plans", headers, body)
        retry = await goals.post("/plans", headers, body)
        assert (first.status_code, retry.status_code) == (201, 201)
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.json() == first.json()
        assert await schema.count("plan") == 1
