"""The organisation-unit tree: Sverige, 21 counties, 290 municipalities, by SCB code."""

from __future__ import annotations

from typing import Any

from tests.goals.support import Goals
from tests.support import Schema, refused, unchanged


async def all_units(goals: Goals, **params: Any) -> list[dict[str, Any]]:
    """Every unit, page by page."""
    units: list[dict[str, Any]] = []
    while True:
        response = await goals.get(
            "/organisation-units", goals.reader, limit=100, offset=len(units), **params
        )
        assert response.status_code == 200, response.text
        page = response.json()
        units += page["items"]
        if len(units) >= page["total"]:
            return units


class TestOrganisationUnits:
    async def test_one_country_21_counties_290_municipalities(self, goals: Goals) -> None:
        units = await all_units(goals)
        levels = [unit["level"] for unit in units]
        assert (levels.count("country"), levels.count("county")) == (1, 21)
        assert levels.count("municipality") == 290
        assert len({unit["code"] for unit in units}) == 312

    async def test_sverige_is_the_root(self, goals: Goals) -> None:
        response = await goals.get("/organisation-units", goals.reader, level="country")
        assert response.json()["items"] == [
            {
                "code": "SE",
                "name": "Sverige",
                "english_name": "Sweden",
                "level": "country",
                "parent_code": None,
            }
        ]

    async def test_the_counties_carry_the_scb_codes(self, goals: Goals) -> None:
        counties = await all_units(goals, level="county")
        codes = [unit["code"] for unit in counties]
        expected = ["01", *(f"{n:02d}" for n in range(3, 11)), "12", "13", "14"]
        assert codes == expected + [f"{n}" for n in range(17, 26)]
        assert all(unit["parent_code"] == "SE" for unit in counties)
        assert counties[9]["name"] == "Skåne län"

    async def test_each_municipality_code_begins_with_its_county_code(self, goals: Goals) -> None:
        counties = {unit["code"] for unit in await all_units(goals, level="county")}
        municipalities = await all_units(goals, level="municipality")
        assert len(municipalities) == 290
        for unit in municipalities:
            assert len(unit["code"]) == 4
            assert unit["code"].isdigit()
            assert unit["parent_code"] in counties
            assert unit["code"][:2] == unit["parent_code"]

    async def test_children_of_one_county(self, goals: Goals) -> None:
        response = await goals.get("/organisation-units", goals.reader, parent_code="09")
        assert [unit["name"] for unit in response.json()["items"]] == ["Gotland"]

    async def test_one_unit_by_code_and_an_unknown_one(self, goals: Goals, schema: Schema) -> None:
        malmo = await goals.get("/organisation-units/1280", goals.reader)
        assert malmo.status_code == 200
        assert malmo.json()["name"] == "Malmö"
        assert malmo.json()["parent_code"] == "12"
        async with unchanged(schema):
            unknown = await goals.get("/organisation-units/1299", goals.reader)
        refused(unknown, 404, "not-found")
