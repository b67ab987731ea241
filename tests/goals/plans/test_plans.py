"""Plans: one per county and year, K1 and K2 always, an RSS for its own county only."""

from __future__ import annotations

from tests.goals.support import Database, Goals


class TestRequiredGoals:
    async def test_a_plan_without_k2_is_422_naming_k2_and_nothing_is_saved(
        self, goals: Goals, db: Database
    ) -> None:
        body = {"county_code": "12", "year": 2019, "goal_codes": ["K1", "K3"]}
        response = await goals.post("/plans", goals.rss("12"), body)
        assert response.status_code == 422
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "missing: K2" in problem["detail"]
        assert [e["message"] for e in problem["errors"]] == [
            "K2 is missing: every RSS plan must include K1 and K2"
        ]
        assert problem["errors"][0]["location"] == "body.goal_codes"
        assert (await db.count("plan"), await db.count("plan_goal")) == (0, 0)

    async def test_a_plan_without_k1_and_k2_names_both(self, goals: Goals) -> None:
        body = {"county_code": "12", "year": 2019, "goal_codes": ["K5"]}
        response = await goals.post("/plans", goals.admin, body)
        assert response.status_code == 422
        assert "missing: K1, K2" in response.json()["detail"]

    async def test_a_plan_with_k1_k2_and_more_is_made(self, goals: Goals) -> None:
        body = {"county_code": "12", "year": 2019, "goal_codes": ["k5", "K2", "A3", "K1"]}
        response = await goals.post("/plans", goals.rss("12"), body)
        assert response.status_code == 201, response.text
        plan = response.json()
        assert plan["county_code"] == "12"
        assert plan["year"] == 2019
        assert plan["goal_codes"] == ["A3", "K1", "K2", "K5"]
        assert plan["indicators"] == []

    async def test_an_unknown_goal_is_422_naming_it(self, goals: Goals) -> None:
        body = {"county_code": "12", "year": 2019, "goal_codes": ["K1", "K2", "K9"]}
        response = await goals.post("/plans", goals.admin, body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["value"] == "K9"

    async def test_a_county_plans_with_its_own_goal_but_not_anothers(self, goals: Goals) -> None:
        own = await goals.post("/goals", goals.admin, {"county_code": "12", "title": "Eget"})
        code = own.json()["code"]
        theirs = await goals.post(
            "/plans",
            goals.admin,
            {"county_code": "01", "year": 2019, "goal_codes": ["K1", "K2", code]},
        )
        assert theirs.status_code == 422
        assert "county 12's own goal" in theirs.json()["errors"][0]["message"]
        plan = await goals.plan("12", ("K1", "K2", code), headers=goals.rss("12"))
        assert plan["goal_codes"] == ["K1", "K2", code]


class TestOnePlanPerCountyAndYear:
    async def test_a_second_plan_for_the_same_county_and_year_is_409(
        self, goals: Goals, db: Database
    ) -> None:
        first = await goals.plan("12")
        body = {"county_code": "12", "year": 2019, "goal_codes": ["K1", "K2", "K3"]}
        response = await goals.post("/plans", goals.admin, body)
        assert response.status_code == 409
        assert response.json()["plan_id"] == first["id"]
        assert await db.count("plan") == 1

    async def test_another_year_is_another_plan(self, goals: Goals) -> None:
        await goals.plan("12", year=2019)
        await goals.plan("12", year=2020)


class TestCountyScope:
    async def test_an_rss_may_not_plan_for_another_county(self, goals: Goals, db: Database) -> None:
        body = {"county_code": "01", "year": 2019, "goal_codes": ["K1", "K2"]}
        response = await goals.post("/plans", goals.rss("12"), body)
        assert response.status_code == 403
        assert await db.count("plan") == 0

    async def test_another_countys_plan_is_404_for_an_rss(self, goals: Goals) -> None:
        plan = await goals.plan("01")
        assert (await goals.get(f"/plans/{plan['id']}", goals.rss("12"))).status_code == 404
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

    async def test_readers_may_not_plan(self, goals: Goals) -> None:
        body = {"county_code": "12", "year": 2019, "goal_codes": ["K1", "K2"]}
        assert (await goals.post("/plans", goals.reader, body)).status_code == 403

    async def test_an_unknown_plan_is_404(self, goals: Goals) -> None:
        assert (await goals.get("/plans/999", goals.admin)).status_code == 404


class TestIdempotency:
    async def test_a_retried_plan_with_the_same_key_is_replayed_not_made_twice(
        self, goals: Goals, db: Database
    ) -> None:
        body = {"county_code": "12", "year": 2019, "goal_codes": ["K1", "K2"]}
        headers = {**goals.rss("12"), "Idempotency-Key": "plan-12-2019"}
        first = await goals.post("/plans", headers, body)
        retry = await goals.post("/plans", headers, body)
        assert (first.status_code, retry.status_code) == (201, 201)
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.json() == first.json()
        assert await db.count("plan") == 1
