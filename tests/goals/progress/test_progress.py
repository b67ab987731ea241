"""Progress per goal: counties with a plan, a submitted and an approved report, and each
indicator's latest approved value against baseline and target, per county and across them."""

from __future__ import annotations

from tests.goals.progress.support import Year, counts, goal, indicator, progress
from tests.goals.support import Goals
from tests.support import Schema, refused, unchanged


class TestCounts:
    async def test_counties_with_a_plan_a_submitted_and_an_approved_report(
        self, goals: Goals, year: Year
    ) -> None:
        body = await progress(goals, goals.admin, year=2019)
        assert body["year"] == 2019
        assert body["approved_only"] is False
        assert [g["goal_code"] for g in body["goals"]] == [
            "A1", "A2", "A3", "K1", "K2", "K3", "K4", "K5"
        ]  # fmt: skip
        assert goal(body, "K1")["title"] == "Stärkt samverkan på lokal, regional och nationell nivå"
        assert counts(body, "K1") == (3, 2, 1)
        assert counts(body, "K2") == (3, 2, 1)
        assert counts(body, "K5") == (1, 1, 1)
        assert counts(body, "K3") == (0, 0, 0)

    async def test_the_year_defaults_to_the_latest_planned(self, goals: Goals, year: Year) -> None:
        assert (await progress(goals, goals.admin))["year"] == 2019
        other = await progress(goals, goals.admin, year=2020)
        assert counts(other, "K1") == (0, 0, 0)


class TestIndicators:
    async def test_latest_approved_value_against_baseline_and_target_per_county(
        self, goals: Goals, year: Year
    ) -> None:
        body = await progress(goals, goals.admin, year=2019)
        avtal = indicator(body, "K1", "Avtal")
        assert (avtal["measure"], avtal["direction"]) == ("count", "increase")
        rows = {row["county_code"]: row for row in avtal["counties"]}
        assert sorted(rows) == ["01", "12"]
        skane = rows["12"]
        assert (skane["baseline"], skane["target"]) == (4, 12)
        assert (skane["latest"]["value"], skane["latest"]["period"]) == (10, "2019H2")
        assert (skane["change"], skane["target_reached"]) == (6, False)
        assert rows["01"]["latest"] is None
        assert rows["01"]["pending"]["value"] == 5  # submitted, awaiting approval

    async def test_a_percentage_keeps_the_latest_approved_report_that_has_it(
        self, goals: Goals, year: Year
    ) -> None:
        body = await progress(goals, goals.admin, year=2019)
        andel = indicator(body, "K2", "Andel")
        skane = next(row for row in andel["counties"] if row["county_code"] == "12")
        latest = skane["latest"]
        assert (latest["period"], latest["numerator"], latest["denominator"]) == ("2019H1", 9, 26)
        assert latest["value"] == 34.62
        assert (skane["change"], skane["target_reached"]) == (14.62, False)

    async def test_a_boolean_meets_its_target(self, goals: Goals, year: Year) -> None:
        body = await progress(goals, goals.admin, year=2019)
        rutin = indicator(body, "K1", "Rutin")
        skane = next(row for row in rutin["counties"] if row["county_code"] == "12")
        assert (skane["latest"]["value"], skane["target_reached"]) == (True, True)

    async def test_aggregates_count_only_approved_values(self, goals: Goals, year: Year) -> None:
        body = await progress(goals, goals.admin, year=2019)
        assert indicator(body, "K1", "Avtal")["aggregate"] == {
            "counties": 1,
            "of": 21,
            "value": 10,
            "numerator": None,
            "denominator": None,
            "mean": None,
            "baseline": 4,
            "target": 12,
            "true_count": None,
            "false_count": None,
            "share": None,
        }

    async def test_counts_are_summed_percentages_pooled_and_averaged_booleans_counted(
        self, goals: Goals, year: Year
    ) -> None:
        await goals.moved(year.submitted, "approve", goals.admin)
        body = await progress(goals, goals.admin, year=2019)
        avtal = indicator(body, "K1", "Avtal")["aggregate"]
        assert (avtal["counties"], avtal["value"], avtal["baseline"], avtal["target"]) == (
            2,
            15,
            6,
            18,
        )
        andel = indicator(body, "K2", "Andel")["aggregate"]
        assert (andel["numerator"], andel["denominator"], andel["value"]) == (10, 28, 35.71)
        assert andel["mean"] == 42.31  # (9/26 + 1/2) / 2, each county counting once
        assert (andel["baseline"], andel["target"]) == (30.0, 55.0)
        rutin = indicator(body, "K1", "Rutin")["aggregate"]
        assert (rutin["counties"], rutin["true_count"], rutin["false_count"]) == (2, 1, 1)
        assert counts(body, "K1") == (3, 2, 2)


class TestWhoSeesWhat:
    async def test_a_reader_sees_approved_figures_only(self, goals: Goals, year: Year) -> None:
        body = await progress(goals, goals.reader, year=2019)
        assert body["approved_only"] is True
        assert counts(body, "K1") == (None, None, 1)
        avtal = indicator(body, "K1", "Avtal")
        assert [row["county_code"] for row in avtal["counties"]] == ["12"]
        assert avtal["counties"][0]["pending"] is None
        assert avtal["aggregate"]["value"] == 10
        rows = [row for g in body["goals"] for i in g["indicators"] for row in i["counties"]]
        assert {row["county_code"] for row in rows} == {"12"}  # 01 has nothing approved
        assert all(row["pending"] is None and row["latest"] for row in rows)

    async def test_a_reader_sees_nothing_before_an_approval(self, goals: Goals) -> None:
        plan = await goals.plan("12")
        made = await goals.indicator(plan["id"], "count", name="Avtal")
        report = await goals.report(
            plan["id"], "12", values=[{"indicator_id": made["id"], "value": 3}]
        )
        await goals.moved(report["id"], "submit", goals.rss("12"))
        body = await progress(goals, goals.reader, year=2019)
        assert counts(body, "K1") == (None, None, 0)
        assert goal(body, "K1")["indicators"] == []
        await goals.moved(report["id"], "approve", goals.admin)
        after = await progress(goals, goals.reader, year=2019)
        assert indicator(after, "K1", "Avtal")["counties"][0]["latest"]["value"] == 3

    async def test_an_rss_sees_its_own_rows_and_the_aggregates(
        self, goals: Goals, year: Year
    ) -> None:
        body = await progress(goals, goals.rss("01"), year=2019)
        avtal = indicator(body, "K1", "Avtal")
        assert [row["county_code"] for row in avtal["counties"]] == ["01"]
        assert avtal["counties"][0]["pending"]["value"] == 5
        assert avtal["aggregate"]["value"] == 10
        assert counts(body, "K1") == (3, 2, 1)

    async def test_evaluators_and_organisers_may_not_read_progress(
        self, goals: Goals, schema: Schema
    ) -> None:
        organiser = goals.tokens.organiser("212000-0142")
        async with unchanged(schema):
            for headers in (goals.tokens.evaluator, organiser):
                refused(await goals.get("/progress", headers), 403, "forbidden")
