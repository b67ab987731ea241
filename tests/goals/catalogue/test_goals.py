"""The goal catalogue: the programme's goals from the migration, and counties' own goals."""

from __future__ import annotations

from tests.goals.support import Goals
from tests.support import Schema, refused, unchanged

PROGRAMME = {
    "A1": "Stärka och utveckla samverkan på det jämställdhetspolitiska området mellan staten, "
    "SKR, kommuner och regioner",
    "A2": "Stärka och utveckla jämställdhetsarbetet hos kommuner och regioner i förhållande till "
    "de jämställdhetspolitiska delmålen",
    "A3": "Stärka och utveckla kvinnofridsarbetet i kommuner och regioner utifrån den nationella "
    "strategin för att förebygga och bekämpa mäns våld mot kvinnor och våld i nära relationer",
    "K1": "Stärkt samverkan på lokal, regional och nationell nivå",
    "K2": "Bättre systematisk uppföljning och analys",
    "K3": "Stärkt kvinnofridsarbete i socialtjänsten",
    "K4": "Stärkt kvinnofridsarbete i hälso- och sjukvården",
    "K5": "Stärkt våldsförebyggande arbete med fokus förskola och skola",
}


class TestProgrammeGoals:
    async def test_the_catalogue_has_a1_to_a3_and_k1_to_k5_in_swedish_and_english(
        self, goals: Goals
    ) -> None:
        response = await goals.get("/goals", goals.reader)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == 8
        assert [goal["code"] for goal in body["items"]] == list(PROGRAMME)
        for goal in body["items"]:
            assert goal["title"] == PROGRAMME[goal["code"]]
            assert goal["title_en"]
            assert goal["kind"] == ("agreement" if goal["code"][0] == "A" else "kvinnofrid")
            assert goal["county_code"] is None

    async def test_english_titles_translate_the_seeds(self, goals: Goals) -> None:
        response = await goals.get("/goals/K5", goals.reader)
        assert response.status_code == 200
        assert response.json()["title_en"] == (
            "Stronger violence prevention with a focus on preschool and school"
        )

    async def test_the_programme_goals_come_from_the_migration(self, schema: Schema) -> None:
        rows = await schema.rows("SELECT code, created_by FROM goals.goal ORDER BY code")
        assert [code for code, _ in rows] == sorted(PROGRAMME)
        assert all(created_by is None for _, created_by in rows)

    async def test_filter_by_kind(self, goals: Goals) -> None:
        response = await goals.get("/goals", goals.reader, kind="agreement")
        assert [goal["code"] for goal in response.json()["items"]] == ["A1", "A2", "A3"]

    async def test_unknown_goal_is_404(self, goals: Goals, schema: Schema) -> None:
        async with unchanged(schema):
            response = await goals.get("/goals/K9", goals.reader)
        refused(response, 404, "not-found")

    async def test_no_token_is_401(self, goals: Goals, schema: Schema) -> None:
        async with unchanged(schema):
            response = await goals.get("/goals", {})
        refused(response, 401, "invalid-token")


class TestCountyGoals:
    async def test_a_county_adds_its_own_goal_with_a_made_code(self, goals: Goals) -> None:
        body = {"county_code": "12", "title": "Fler kommuner med handlingsplan"}
        first = await goals.post("/goals", goals.rss("12"), body)
        second = await goals.post("/goals", goals.rss("12"), {**body, "title": "Ett till"})
        assert first.status_code == 201, first.text
        assert first.json() == {
            "code": "12-E1",
            "title": "Fler kommuner med handlingsplan",
            "title_en": None,
            "kind": "county",
            "county_code": "12",
        }
        assert second.json()["code"] == "12-E2"

    async def test_own_goal_is_visible_to_its_county_and_admin_only(self, goals: Goals) -> None:
        made = await goals.post("/goals", goals.admin, {"county_code": "12", "title": "Eget mål"})
        assert made.status_code == 201, made.text
        code = made.json()["code"]
        for headers, visible in (
            (goals.admin, True),
            (goals.rss("12"), True),
            (goals.rss("01"), False),
            (goals.reader, False),
        ):
            listed = await goals.get("/goals", headers, kind="county")
            assert [g["code"] for g in listed.json()["items"]] == ([code] if visible else [])
            one = await goals.get(f"/goals/{code}", headers)
            assert one.status_code == (200 if visible else 404)
            if not visible:
                refused(one, 404, "not-found")

    async def test_an_rss_may_not_add_a_goal_for_another_county(
        self, goals: Goals, schema: Schema
    ) -> None:
        async with unchanged(schema):
            response = await goals.post(
                "/goals", goals.rss("01"), {"county_code": "12", "title": "x"}
            )
        refused(response, 403, "forbidden")
        assert await schema.count("goal") == 8

    async def test_a_given_code_must_begin_with_the_county(
        self, goals: Goals, schema: Schema
    ) -> None:
        async with unchanged(schema):
            response = await goals.post(
                "/goals", goals.admin, {"county_code": "12", "title": "x", "code": "01-X"}
            )
        problem = refused(response, 422, "validation-error")
        assert problem["errors"][0]["location"] == "body.code"

    async def test_a_taken_code_is_409_goal_exists(self, goals: Goals, schema: Schema) -> None:
        body = {"county_code": "12", "title": "x", "code": "12-VALD"}
        assert (await goals.post("/goals", goals.admin, body)).status_code == 201
        async with unchanged(schema):
            response = await goals.post("/goals", goals.admin, body)
        problem = refused(response, 409, "goal-exists")
        assert (problem["detail"], problem["code"]) == ("Goal 12-VALD already exists.", "12-VALD")

    async def test_readers_and_evaluators_may_not_add_goals(
        self, goals: Goals, schema: Schema
    ) -> None:
        body = {"county_code": "12", "title": "x"}
        async with unchanged(schema):
            for headers in (goals.reader, goals.tokens.evaluator):
                refused(await goals.post("/goals", headers, body), 403, "forbidden")

    async def test_an_unknown_county_is_422(self, goals: Goals, schema: Schema) -> None:
        async with unchanged(schema):
            response = await goals.post("/goals", goals.admin, {"county_code": "02", "title": "x"})
        refused(response, 422, "validation-error")
