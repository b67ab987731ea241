"""Each county's latest approved value against its baseline, its target and the national
figure: a national indicator's aggregate over the counties with an approved value."""

from __future__ import annotations

from typing import Any

import pytest

from tests.goals.progress.support import Year, indicator, progress
from tests.goals.support import Goals
from tests.support import expect

NATIONAL = (
    {
        "code": "K1-HANDLPLAN",
        "goal_code": "K1",
        "name": "Kommuner med handlingsplan",
        "measure": "count",
        "direction": "increase",
        "unit": "kommuner",
    },
    {
        "code": "K2-VANTETID",
        "goal_code": "K2",
        "name": "Andel ärenden över väntetid",
        "measure": "percentage",
        "direction": "decrease",
    },
    {"code": "K2-UTVLEDARE", "goal_code": "K2", "name": "Utvecklingsledare", "measure": "boolean"},
)
REFERENCES = {
    "12": {"K1-HANDLPLAN": (3, 9), "K2-VANTETID": (30, 20), "K2-UTVLEDARE": (False, True)},
    "01": {"K1-HANDLPLAN": (2, 4), "K2-VANTETID": (50, 60), "K2-UTVLEDARE": (True, True)},
    "03": {"K1-HANDLPLAN": (0, 1), "K2-VANTETID": (10, 5), "K2-UTVLEDARE": (False, True)},
}
VALUES: dict[str, dict[str, dict[str, Any]]] = {
    "12": {
        "K1-HANDLPLAN": {"value": 8},
        "K2-VANTETID": {"numerator": 1, "denominator": 4},
        "K2-UTVLEDARE": {"value": True},
    },
    "01": {
        "K1-HANDLPLAN": {"value": 4},
        "K2-VANTETID": {"numerator": 3, "denominator": 4},
        "K2-UTVLEDARE": {"value": True},
    },
    "03": {  # submitted, never approved: in no national figure
        "K1-HANDLPLAN": {"value": 100},
        "K2-VANTETID": {"numerator": 0, "denominator": 4},
        "K2-UTVLEDARE": {"value": False},
    },
}


@pytest.fixture
async def national(goals: Goals) -> Goals:
    """Counties 12 and 01 approved on three national indicators, 03 submitted only."""
    for body in NATIONAL:
        expect(await goals.post("/national-indicators", goals.admin, body), 201)
    for county, references in REFERENCES.items():
        plan = await goals.plan(county)
        ids: dict[str, int] = {}
        for code, (baseline, target) in references.items():
            take = {"code": code, "baseline": baseline, "target": target}
            taken = await goals.post(f"/plans/{plan['id']}/national-indicators", goals.admin, take)
            ids[code] = expect(taken, 201)["id"]
        values = [{"indicator_id": ids[code], **v} for code, v in VALUES[county].items()]
        report = await goals.report(plan["id"], county, values=values)
        if county == "03":
            await goals.moved(report["id"], "submit", goals.rss("03"))
        else:
            await goals.approved(report["id"], county)
    return goals


def rows(body: dict[str, Any], goal_code: str, name: str) -> dict[str, dict[str, Any]]:
    return {row["county_code"]: row for row in indicator(body, goal_code, name)["counties"]}


def compared(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["vs_baseline"], row["vs_target"], row["national_value"], row["vs_national"])


class TestNationalFigure:
    async def test_a_count_is_held_against_the_mean_per_county(self, national: Goals) -> None:
        body = await progress(national, national.reader, year=2019)
        found = indicator(body, "K1", "Kommuner med handlingsplan")
        assert (found["aggregate"]["counties"], found["aggregate"]["of"]) == (2, 21)
        assert found["aggregate"]["value"] == 12  # 03's submitted 100 is not in it
        by_county = rows(body, "K1", "Kommuner med handlingsplan")
        assert sorted(by_county) == ["01", "12"]
        assert compared(by_county["12"]) == ("better", "not_met", 6.0, "better")
        assert compared(by_county["01"]) == ("better", "met", 6.0, "worse")

    async def test_a_percentage_follows_its_direction_against_the_pooled_figure(
        self, national: Goals
    ) -> None:
        body = await progress(national, national.admin, year=2019)
        by_county = rows(body, "K2", "Andel ärenden över väntetid")
        assert by_county["12"]["latest"]["value"] == 25.0
        assert compared(by_county["12"]) == ("better", "not_met", 50.0, "better")
        assert compared(by_county["01"]) == ("worse", "not_met", 50.0, "worse")
        pending = by_county["03"]
        assert pending["latest"] is None
        assert pending["pending"]["value"] == 0.0
        assert compared(pending) == (None, None, 50.0, None)

    async def test_yes_no_is_compared_with_baseline_and_target_not_nationally(
        self, national: Goals
    ) -> None:
        body = await progress(national, national.admin, year=2019)
        by_county = rows(body, "K2", "Utvecklingsledare")
        assert compared(by_county["12"]) == ("better", "met", None, None)
        assert compared(by_county["01"]) == ("same", "met", None, None)

    async def test_an_rss_compares_its_own_county_with_all_approved_counties(
        self, national: Goals
    ) -> None:
        body = await progress(national, national.rss("01"), year=2019)
        by_county = rows(body, "K1", "Kommuner med handlingsplan")
        assert sorted(by_county) == ["01"]
        assert compared(by_county["01"]) == ("better", "met", 6.0, "worse")


class TestCountiesOwnIndicators:
    async def test_have_no_national_figure(self, goals: Goals, year: Year) -> None:
        body = await progress(goals, goals.admin, year=2019)
        skane = rows(body, "K1", "Avtal")["12"]
        assert skane["county_name"] == "Skåne län"
        assert compared(skane) == ("better", "not_met", None, None)
        share = rows(body, "K2", "Andel")["12"]
        assert compared(share) == ("better", "not_met", None, None)
