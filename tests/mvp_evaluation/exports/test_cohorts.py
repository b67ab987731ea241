"""A cohort across its waves and schools, long and wide, as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from openpyxl import load_workbook  # type: ignore[import-untyped]  # no stubs in the lock

from tests.mvp_evaluation.support import BASE, Survey, csv_text, items
from tests.support import expect, refused

# Two items on one scale, the second reversed (1-5): a score is the mean of q1 and 6 - q2.
ITEMS = items(2, reverse=(2,))


async def cohort(survey: Survey) -> dict[str, Any]:
    """Two schools, pre and post; one pupil of the first has no post answers."""
    await survey.instrument(item_list=ITEMS)
    a = await survey.school("intervention")
    b = await survey.school("comparison")
    data: list[tuple[str, list[tuple[str, list[int | None]]], list[tuple[str, list[int | None]]]]]
    data = [
        (a, [("a-1", [1, 5]), ("a-2", [4, None])], [("a-1", [3, 3])]),
        (b, [("b-1", [2, 2])], [("b-1", [5, 1])]),
    ]
    for school, rows_pre, rows_post in data:
        pre, post = await survey.wave(school, "pre"), await survey.wave(school, "post")
        expect(await survey.post(pre, csv_text(rows_pre, ["q1", "q2"])), 201)
        expect(await survey.post(post, csv_text(rows_post, ["q1", "q2"])), 201)
    return {"a": a, "b": b}


async def export(
    survey: Survey, headers: dict[str, str] | None = None, **params: str
) -> httpx.Response:
    return await survey.client.get(
        f"{BASE}/exports/cohorts/2019", params=params, headers=headers or survey.headers
    )


def table(response: httpx.Response, delimiter: str = ",") -> list[dict[str, str]]:
    return list(
        csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter)
    )


class TestCohortExport:
    async def test_long_has_a_row_per_respondent_wave_and_item(self, survey: Survey) -> None:
        schools = await cohort(survey)

        response = await export(survey)

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = table(response)
        assert list(rows[0]) == [
            "respondent",
            "school_unit_code",
            "arm",
            "municipality_code",
            "wave_kind",
            "item",
            "answer",
        ]
        assert len(rows) == (2 + 1 + 1 + 1) * 2  # five respondent-waves, two items each
        a2 = [r for r in rows if r["respondent"] == "a-2"]
        assert [(r["wave_kind"], r["item"], r["answer"]) for r in a2] == [
            ("pre", "q1", "4"),
            ("pre", "q2", ""),
        ]
        assert {r["arm"] for r in rows if r["school_unit_code"] == schools["b"]} == {"comparison"}
        assert rows[0]["municipality_code"] == "0180"

    async def test_wide_has_a_row_per_pupil_with_every_waves_items_and_scores(
        self, survey: Survey
    ) -> None:
        schools = await cohort(survey)

        rows = table(await export(survey, layout="wide"))

        assert list(rows[0])[4:] == [
            "pre.q1",
            "pre.q2",
            "pre.attityd_score",
            "post.q1",
            "post.q2",
            "post.attityd_score",
        ]
        by_pupil = {r["respondent"]: r for r in rows}
        assert len(rows) == 3
        a1 = by_pupil["a-1"]
        assert a1["school_unit_code"] == schools["a"]
        assert (a1["pre.q1"], a1["pre.q2"], float(a1["pre.attityd_score"])) == ("1", "5", 1.0)
        assert float(a1["post.attityd_score"]) == 3.0
        a2 = by_pupil["a-2"]
        assert float(a2["pre.attityd_score"]) == 4.0  # half the items answered: a score
        assert (a2["post.q1"], a2["post.attityd_score"]) == ("", "")
        assert float(by_pupil["b-1"]["post.attityd_score"]) == 5.0

    async def test_the_excel_variant_keeps_codes_as_text(self, survey: Survey) -> None:
        await cohort(survey)

        response = await export(survey, layout="wide", excel="true")

        assert response.content.startswith(b"\xef\xbb\xbf")
        rows = table(response, ";")
        assert rows[0]["municipality_code"] == '="0180"'

    async def test_xlsx_reads_back_as_the_same_table(self, survey: Survey) -> None:
        await cohort(survey)
        plain = table(await export(survey, layout="wide"))

        response = await export(survey, layout="wide", format="xlsx")

        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0] == list(plain[0])
        assert len(values) == 1 + len(plain)
        first = dict(zip(values[0], values[1], strict=True))
        assert str(first["respondent"]) == plain[0]["respondent"]
        assert first["pre.attityd_score"] == float(plain[0]["pre.attityd_score"])

    async def test_only_evaluators_and_admins_and_an_unknown_cohort_is_404(
        self, survey: Survey
    ) -> None:
        await cohort(survey)

        for headers in (survey.tokens.reader, survey.tokens.organiser("212000-1124")):
            refused(await export(survey, headers), 403, "forbidden")
        missing = await survey.client.get(f"{BASE}/exports/cohorts/1999", headers=survey.headers)
        refused(missing, 404, "not-found")
        assert (await export(survey, survey.tokens.admin)).status_code == 200
