"""Bulk import of many counties' values, as JSON or CSV, with a DHIS2-style summary."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.goals.support import API, Goals
from tests.support import Schema, refused, unchanged


class Setup:
    """Counties 12 and 01 with a 2019 plan each: a count `Avtal` and a percentage `Andel`."""

    def __init__(self, goals: Goals) -> None:
        self.goals = goals
        self.ids: dict[tuple[str, str], int] = {}

    async def make(self) -> None:
        for county in ("12", "01"):
            plan = await self.goals.plan(county, ("K1", "K2"))
            for measure, name in (("count", "Avtal"), ("percentage", "Andel")):
                made = await self.goals.indicator(plan["id"], measure, name=name)
                self.ids[(county, name)] = made["id"]

    def row(self, county: str, name: str, period: str = "2019H1", **value: Any) -> dict[str, Any]:
        return {
            "county_code": county,
            "year": 2019,
            "period": period,
            "indicator_id": self.ids[(county, name)],
            **value,
        }

    def rows(self) -> list[dict[str, Any]]:
        """Four good rows: both counties, both indicators."""
        return [
            self.row("12", "Avtal", value=8),
            self.row("12", "Andel", numerator=9, denominator=26),
            self.row("01", "Avtal", value=3),
            self.row("01", "Andel", numerator=1, denominator=2),
        ]


@pytest.fixture
async def setup(goals: Goals) -> Setup:
    made = Setup(goals)
    await made.make()
    return made


async def send(
    goals: Goals,
    rows: list[dict[str, Any]] | str | bytes,
    headers: dict[str, str] | None = None,
    key: str | None = None,
    **params: Any,
) -> httpx.Response:
    """POST the rows (a list as JSON, else as CSV) with an Idempotency-Key (new unless given)."""
    if isinstance(rows, list):
        content: str | bytes = json.dumps({"rows": rows})
        content_type = "application/json"
    else:
        content, content_type = rows, "text/csv; charset=utf-8"
    return await goals.client.post(
        f"{API}/reports/import",
        content=content,
        params=params,
        headers={
            **(headers or goals.admin),
            "Content-Type": content_type,
            "Idempotency-Key": key or str(uuid.uuid4()),
        },
    )


async def report_values(schema: Schema) -> list[tuple[Any, ...]]:
    return await schema.rows(
        "SELECT p.county_code, r.period, r.state, v.indicator_id, v.integer_value, v.numerator,"
        " v.denominator FROM goals.report_value v JOIN goals.report r ON r.id = v.report_id"
        " JOIN goals.plan p ON p.id = r.plan_id ORDER BY p.county_code, v.indicator_id"
    )


class TestImport:
    async def test_json_rows_of_many_counties_are_imported_as_drafts(
        self, goals: Goals, setup: Setup, schema: Schema
    ) -> None:
        response = await send(goals, setup.rows())
        assert response.status_code == 200, response.text
        summary = response.json()
        assert summary == {
            "status": "success",
            "dry_run": False,
            "partial": False,
            "imported": 4,
            "updated": 0,
            "ignored": 0,
            "conflicts": [],
        }
        ids = setup.ids
        assert await report_values(schema) == [
            ("01", "2019H1", "draft", ids[("01", "Avtal")], 3, None, None),
            ("01", "2019H1", "draft", ids[("01", "Andel")], None, 1, 2),
            ("12", "2019H1", "draft", ids[("12", "Avtal")], 8, None, None),
            ("12", "2019H1", "draft", ids[("12", "Andel")], None, 9, 26),
        ]
        events = await schema.rows("SELECT action, actor, actor_role FROM goals.report_event")
        assert events == [("import", "kvf_test_admin", "admin")] * 2

    async def test_a_second_import_updates_what_changed_and_ignores_the_rest(
        self, goals: Goals, setup: Setup
    ) -> None:
        assert (await send(goals, setup.rows())).status_code == 200
        rows = setup.rows()
        rows[0]["value"] = 9
        response = await send(goals, rows)
        assert response.status_code == 200, response.text
        summary = response.json()
        assert (summary["imported"], summary["updated"], summary["ignored"]) == (0, 1, 3)

    async def test_an_import_into_a_draft_makes_a_new_version_of_it(
        self, goals: Goals, setup: Setup, schema: Schema
    ) -> None:
        plan = (await goals.get("/plans", goals.admin, county_code="12")).json()["items"][0]
        indicator = setup.ids[("12", "Avtal")]
        draft = await goals.report(
            plan["id"], "12", period="2019H1", values=[{"indicator_id": indicator, "value": 1}]
        )
        assert (await send(goals, [setup.row("12", "Avtal", value=2)])).json()["updated"] == 1
        async with unchanged(schema):
            stale = await goals.client.patch(
                f"{API}/reports/{draft['id']}",
                json={"values": [{"indicator_id": indicator, "value": 3}]},
                headers={**goals.rss("12"), "If-Match": '"1"'},
            )
        refused(stale, 412, "precondition-failed")
        current = (await goals.get(f"/reports/{draft['id']}", goals.rss("12"))).json()
        assert (current["version"], current["values"][0]["value"]) == (2, 2)
        assert [e["action"] for e in current["history"]] == ["create", "import"]

    async def test_csv_as_swedish_excel_writes_it(
        self, goals: Goals, setup: Setup, schema: Schema
    ) -> None:
        ids = setup.ids
        csv = (
            "\ufeffcounty_code;year;period;indicator_id;value;numerator;denominator;text\r\n"
            f"12;2019;2019H1;{ids[('12', 'Avtal')]};8;;;\r\n"
            f"12;2019;2019H1;{ids[('12', 'Andel')]};;9;26;\r\n"
            f"01;2019;2019;{ids[('01', 'Avtal')]};3;;;\r\n"
            ";;;;;;;\r\n"
        )
        response = await send(goals, csv.encode())
        assert response.status_code == 200, response.text
        assert response.json()["imported"] == 3
        stored = await report_values(schema)
        assert [(row[0], row[1], row[4], row[5], row[6]) for row in stored] == [
            ("01", "2019", 3, None, None),
            ("12", "2019H1", 8, None, None),
            ("12", "2019H1", None, 9, 26),
        ]

    async def test_csv_with_commas(self, goals: Goals, setup: Setup) -> None:
        indicator = setup.ids[("12", "Avtal")]
        csv = f"county_code,year,period,indicator_id,value\n12,2019,2019H2,{indicator},5\n"
        response = await send(goals, csv)
        assert response.status_code == 200, response.text
        assert response.json()["imported"] == 1

    async def test_a_dry_run_gives_the_summary_and_saves_nothing(
        self, goals: Goals, setup: Setup, schema: Schema
    ) -> None:
        before = await schema.counts()
        response = await send(goals, setup.rows(), key="dry-1", dry_run="true")
        assert response.status_code == 200, response.text
        assert (response.json()["dry_run"], response.json()["imported"]) == (True, 4)
        assert await schema.counts() == before  # the key included
        real = await send(goals, setup.rows(), key="dry-1")
        assert (real.status_code, real.json()["dry_run"]) == (200, False)


class TestAllOrNothing:
    async def test_any_conflict_rejects_the_whole_import(
        self, goals: Goals, setup: Setup, schema: Schema
    ) -> None:
        before = await schema.counts()
        rows = setup.rows()
        rows[2]["value"] = 2.5
        response = await send(goals, rows)
        problem = refused(response, 422, "validation-error")
        assert (problem["imported"], problem["updated"], problem["ignored"]) == (0, 0, 4)
        indicator = setup.ids[("01", "Avtal")]
        assert problem["conflicts"] == [
            {
                "row": 3,
                "type": "invalid-value",
                "field": "value",
                "value": {"value": 2.5},
                "reason": f'indicator {indicator} "Avtal" is a count: `value` must be a whole '
                "number from 0 to 2^53; got value=2.5",
            }
        ]
        assert problem["errors"] == [
            {
                "row": 3,
                "field": "value",
                "value": {"value": 2.5},
                "message": problem["conflicts"][0]["reason"],
            }
        ]
        assert await schema.counts() == before

    async def test_partial_imports_the_good_rows_and_lists_the_others(
        self, goals: Goals, setup: Setup, schema: Schema
    ) -> None:
        rows = [
            *setup.rows(),
            setup.row("12", "Avtal", value=9),  # 5: the same indicator again
            {**setup.row("12", "Avtal"), "county_code": "03", "value": 1},  # 6: no plan
            {**setup.row("12", "Avtal"), "indicator_id": setup.ids[("01", "Avtal")], "value": 1},
            setup.row("12", "Avtal", period="2020", value=1),  # 8: another year
            setup.row("12", "Andel", period="2019H2", value=50),  # 9: a percentage needs a fraction
            {"county_code": "12"},  # 10: no year, period or indicator
        ]
        response = await send(goals, rows, partial="true")
        assert response.status_code == 200, response.text
        summary = response.json()
        assert summary["status"] == "warning"
        assert (summary["imported"], summary["updated"], summary["ignored"]) == (4, 0, 6)
        assert [(c["row"], c["type"]) for c in summary["conflicts"]] == [
            (5, "duplicate-row"),
            (6, "unknown-plan"),
            (7, "unknown-indicator"),
            (8, "invalid-period"),
            (9, "invalid-value"),
            (10, "invalid-row"),
        ]
        assert all(conflict["reason"] for conflict in summary["conflicts"])
        by_row = {conflict["row"]: conflict for conflict in summary["conflicts"]}
        assert (by_row[6]["field"], by_row[6]["value"]) == ("county_code", "03")
        assert (by_row[9]["field"], by_row[9]["value"]) == ("numerator+denominator", {"value": 50})
        assert len(await report_values(schema)) == 4

    async def test_partial_with_only_bad_rows_is_an_error_summary_and_saves_nothing(
        self, goals: Goals, setup: Setup, schema: Schema
    ) -> None:
        response = await send(goals, [setup.row("12", "Avtal", value=-1)], partial="true")
        assert response.status_code == 200, response.text
        summary = response.json()
        assert (summary["status"], summary["imported"], summary["ignored"]) == ("error", 0, 1)
        assert await schema.count("report") == 0

    async def test_a_row_for_an_approved_report_is_a_report_locked_conflict(
        self, goals: Goals, setup: Setup, schema: Schema
    ) -> None:
        plan_id = (await goals.get("/plans", goals.admin, county_code="12")).json()["items"][0][
            "id"
        ]
        report = await goals.report(
            plan_id,
            "12",
            period="2019H1",
            values=[{"indicator_id": setup.ids[("12", "Avtal")], "value": 8}],
        )
        await goals.approved(report["id"], "12")
        stored = await report_values(schema)
        rows = [setup.row("12", "Avtal", value=99), setup.row("01", "Avtal", value=3)]
        async with unchanged(schema):
            rejected = await send(goals, rows)
        problem = refused(rejected, 422, "validation-error")
        assert problem["conflicts"][0]["type"] == "report-locked"
        assert await report_values(schema) == stored
        partial = await send(goals, rows, partial="true")
        assert partial.status_code == 200
        assert (partial.json()["imported"], partial.json()["ignored"]) == (1, 1)
        locked = await goals.get(f"/reports/{report['id']}", goals.admin)
        assert (locked.json()["version"], locked.json()["values"][0]["value"]) == (3, 8)


class TestIdempotency:
    async def test_an_import_without_idempotency_key_is_400_and_saves_nothing(
        self, goals: Goals, setup: Setup, schema: Schema
    ) -> None:
        async with unchanged(schema):
            response = await goals.client.post(
                f"{API}/reports/import", json={"rows": setup.rows()}, headers=goals.admin
            )
        refused(response, 400, "idempotency-key-required")
        assert await schema.count("report") == 0

    async def test_a_retry_replays_the_first_summary(
        self, goals: Goals, setup: Setup, schema: Schema
    ) -> None:
        first = await send(goals, setup.rows(), key="import-2019h1")
        retry = await send(goals, setup.rows(), key="import-2019h1")
        assert retry.status_code == 200
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.json() == first.json()
        assert await schema.count("report_event") == 2  # one import entry per report, once
        async with unchanged(schema):
            other = await send(goals, setup.rows()[:1], key="import-2019h1")
        refused(other, 422, "idempotency-key-reused")


class TestAccess:
    async def test_only_admin_imports(self, goals: Goals, setup: Setup, schema: Schema) -> None:
        async with unchanged(schema):
            for headers in (goals.rss("12"), goals.reader, goals.tokens.evaluator):
                response = await send(goals, setup.rows(), headers=headers)
                refused(response, 403, "forbidden")
        assert await schema.count("report") == 0

    async def test_another_body_type_is_415(
        self, goals: Goals, setup: Setup, schema: Schema
    ) -> None:
        async with unchanged(schema):
            response = await goals.client.post(
                f"{API}/reports/import",
                content=b"<rows/>",
                headers={**goals.admin, "Content-Type": "application/xml", "Idempotency-Key": "x1"},
            )
        refused(response, 415, "unsupported-media-type")

    async def test_a_csv_without_the_required_columns_is_422(
        self, goals: Goals, setup: Setup, schema: Schema
    ) -> None:
        async with unchanged(schema):
            response = await send(goals, "county_code;value\n12;3\n")
        problem = refused(response, 422, "validation-error")
        messages = [error["message"] for error in problem["errors"]]
        assert "column indicator_id is missing" in messages
