"""The goals schema refuses what the service never writes: its CHECK constraints, directly."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from tests.goals.support import Goals
from tests.support import Schema

VALUE = (
    "INSERT INTO goals.report_value (report_id, indicator_id, integer_value, numerator,"
    " denominator, boolean_value, text_value) VALUES (:report, :indicator, :integer_value,"
    " :numerator, :denominator, :boolean_value, :text_value)"
)
REPORT = (
    "INSERT INTO goals.report (plan_id, period, state, version, created_by)"
    " VALUES (:plan, :period, :state, 1, 'x')"
)


async def violates(schema: Schema, sql: str, **params: Any) -> None:
    with pytest.raises(IntegrityError):
        await schema.rows(sql, **params)


def value(**given: Any) -> dict[str, Any]:
    columns = ("integer_value", "numerator", "denominator", "boolean_value", "text_value")
    return {column: given.get(column) for column in columns}


class TestConstraints:
    async def test_plans_reports_and_values_hold_their_rules(
        self, goals: Goals, schema: Schema
    ) -> None:
        plan = await goals.plan("12")
        indicator = await goals.indicator(plan["id"], "percentage", name="Andel")
        report = await goals.report(plan["id"], "12")
        keys = {"report": report["id"], "indicator": indicator["id"]}
        for bad in (
            value(numerator=3, denominator=2),
            value(numerator=0, denominator=0),
            value(numerator=1),
            value(integer_value=1, text_value="x"),
            value(integer_value=-1),
            value(),
        ):
            await violates(schema, VALUE, **keys, **bad)
        await violates(schema, REPORT, plan=plan["id"], period="2019H3", state="draft")
        await violates(schema, REPORT, plan=plan["id"], period="2019H2", state="locked")
        await violates(schema, REPORT, plan=plan["id"], period="2019", state="draft")  # taken
        await violates(
            schema,
            "INSERT INTO goals.plan (county_code, year, created_by) VALUES ('12', 2019, 'x')",
        )
        await violates(
            schema, "INSERT INTO goals.goal (code, title, kind) VALUES ('12-E9', 'x', 'county')"
        )
        await violates(
            schema,
            "INSERT INTO goals.indicator (plan_id, goal_code, name, measure, created_by)"
            " VALUES (:plan, 'K3', 'x', 'text', 'x')",
            plan=plan["id"],
        )
