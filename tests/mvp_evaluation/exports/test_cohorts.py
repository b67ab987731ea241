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


# Two versions of one instrument: v2 reorders the items, drops q5 and adds q4 (scale `ny`,
# -2..2, reversed). Scores: the mean of the answered items (reverse: min + max - x) when at
# least half of the scale's items are answered.
def item(code: str, low: int, high: int, scale: str, reverse: bool = False) -> dict[str, Any]:
    return {
        "code": code,
        "text": f"Påstående {code}",
        "min": low,
        "max": high,
        "reverse": reverse,
        "scale": scale,
    }


V1 = [
    item("q1", 1, 5, "attityd"),
    item("q2", 1, 5, "attityd", reverse=True),
    item("q3", 0, 3, "ingripande"),
    item("q5", 1, 5, "attityd"),
]
V2 = [
    item("q2", 1, 5, "attityd", reverse=True),
    item("q1", 1, 5, "attityd"),
    item("q4", -2, 2, "ny", reverse=True),
    item("q3", 0, 3, "ingripande"),
]
Answers = list[int | None]
# Per school (A intervention, B comparison): kind -> (version's items, [(respondent, answers)]).
WAVES: dict[str, dict[str, tuple[list[dict[str, Any]], list[tuple[str, Answers]]]]] = {
    "A": {
        "pre": (
            V1,
            [("0123", [1, 5, 0, 2]), ("a-1", [4, None, None, 3]), ("b-2", [None, None, 3, None])],
        ),
        "post": (V2, [("0123", [2, 3, -2, 1]), ("a-1", [None, 5, 1, None])]),
        "follow_up": (V1, [("a-1", [2, 2, 3, 5]), ("c-3", [5, 1, 2, 4])]),
    },
    "B": {
        "pre": (V2, [("d-4", [1, 2, 0, None]), ("e-5", [None, None, None, 3])]),
        "follow_up": (V2, [("d-4", [5, 5, 2, 0])]),
    },
}
KINDS = ("pre", "post", "follow_up")
# The wide columns of each kind: the items of the version registered first, then those a later
# version adds; the scales in order of their first item by position.
WIDE = {
    "pre": (["q1", "q2", "q3", "q5", "q4"], ["attityd", "ingripande", "ny"]),
    "post": (["q2", "q1", "q4", "q3"], ["attityd", "ny", "ingripande"]),
    "follow_up": (["q1", "q2", "q3", "q5", "q4"], ["attityd", "ingripande", "ny"]),
}


async def versions_cohort(survey: Survey) -> dict[str, str]:
    """The cohort of WAVES: two instrument versions, three kinds of wave, missing answers."""
    await survey.instrument(version=1, item_list=V1)
    await survey.instrument(version=2, item_list=V2)
    schools = {"A": await survey.school("intervention"), "B": await survey.school("comparison")}
    for name, waves in WAVES.items():
        for kind, (version, rows) in waves.items():
            wave = await survey.wave(schools[name], kind, version=1 if version is V1 else 2)
            codes = [entry["code"] for entry in version]
            expect(await survey.post(wave, csv_text(rows, codes)), 201)
    return schools


def score(version: list[dict[str, Any]], answers: Answers, scale: str) -> float | str:
    """An independent scale score: blank when the scale is not in the version or fewer than
    half its items are answered."""
    members = [
        (entry, a) for entry, a in zip(version, answers, strict=True) if entry["scale"] == scale
    ]
    given = [
        entry["min"] + entry["max"] - a if entry["reverse"] else a
        for entry, a in members
        if a is not None
    ]
    if not members or len(given) * 2 < len(members):
        return ""
    return sum(given) / len(given)


def pupils(schools: dict[str, str]) -> list[tuple[str, str, str, dict[str, tuple[Any, Answers]]]]:
    """(school code, arm, respondent, kind -> (version, answers)) in school and respondent order."""
    found: dict[tuple[str, str], dict[str, tuple[Any, Answers]]] = {}
    for name, waves in WAVES.items():
        for kind, (version, rows) in waves.items():
            for respondent, answers in rows:
                found.setdefault((schools[name], respondent), {})[kind] = (version, answers)
    arms = {schools["A"]: "intervention", schools["B"]: "comparison"}
    return [(school, arms[school], code, kinds) for (school, code), kinds in sorted(found.items())]


def csv_bytes(rows: list[list[object]], delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


LONG_HEADER = [
    "respondent",
    "school_unit_code",
    "arm",
    "municipality_code",
    "wave_kind",
    "item",
    "answer",
]


def expected_long(schools: dict[str, str], excel: bool = False) -> bytes:
    def text(code: str) -> str:
        return f'="{code}"' if excel and code.isdigit() and code.startswith("0") else code

    rows: list[list[object]] = [[*LONG_HEADER]]
    for school, arm, respondent, kinds in pupils(schools):
        for kind in KINDS:
            if kind in kinds:
                version, answers = kinds[kind]
                rows += [
                    [
                        text(respondent),
                        school,
                        arm,
                        text("0180"),
                        kind,
                        entry["code"],
                        "" if a is None else a,
                    ]
                    for entry, a in zip(version, answers, strict=True)
                ]
    return csv_bytes(rows, ";" if excel else ",", bom=excel)


def expected_wide(schools: dict[str, str]) -> bytes:
    header = ["respondent", "school_unit_code", "arm", "municipality_code"]
    for kind in KINDS:
        codes, scales = WIDE[kind]
        header += [f"{kind}.{code}" for code in codes] + [f"{kind}.{s}_score" for s in scales]
    rows: list[list[object]] = [[*header]]
    for school, arm, respondent, kinds in pupils(schools):
        row: list[object] = [respondent, school, arm, "0180"]
        for kind in KINDS:
            codes, scales = WIDE[kind]
            if kind not in kinds:
                row += [""] * (len(codes) + len(scales))
                continue
            version, answers = kinds[kind]
            by_code = {entry["code"]: a for entry, a in zip(version, answers, strict=True)}
            row += ["" if by_code.get(code) is None else by_code[code] for code in codes]
            row += [score(version, answers, scale) for scale in scales]
        rows.append(row)
    return csv_bytes(rows)


class TestCohortExportContent:
    async def test_long_is_every_answer_of_every_version_and_kind(self, survey: Survey) -> None:
        schools = await versions_cohort(survey)

        plain = await export(survey)
        excel = await export(survey, excel="true")

        assert plain.status_code == 200
        assert plain.content == expected_long(schools)
        assert excel.content == expected_long(schools, excel=True)

    async def test_wide_is_every_pupils_answers_and_scores_by_kind(self, survey: Survey) -> None:
        schools = await versions_cohort(survey)

        response = await export(survey, layout="wide")

        assert response.status_code == 200
        assert response.content == expected_wide(schools)

    async def test_xlsx_long_holds_the_csv_rows(self, survey: Survey) -> None:
        await versions_cohort(survey)
        plain = list(csv.reader(io.StringIO((await export(survey)).text)))

        response = await export(survey, format="xlsx")

        sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
        values = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        assert values == plain

    async def test_the_excel_variant_keeps_any_code_of_digits_as_text(self, survey: Survey) -> None:
        await survey.instrument(item_list=ITEMS)
        school = await survey.school()
        wave = await survey.wave(school)
        # Arabic-Indic digits: Python's str.isdigit holds them digits, as Excel's reader may.
        rows: list[tuple[str, list[int | None]]] = [("0\u0663", [1, 2]), ("01", [3, None])]
        expect(await survey.post(wave, csv_text(rows, ["q1", "q2"])), 201)

        long = table(await export(survey, excel="true"), ";")
        wide = table(await export(survey, layout="wide", excel="true"), ";")

        answers = {(r["respondent"], r["item"]): r["answer"] for r in long}
        assert answers == {
            ('="01"', "q1"): "3",
            ('="01"', "q2"): "",
            ('="0\u0663"', "q1"): "1",
            ('="0\u0663"', "q2"): "2",
        }
        assert sorted(r["respondent"] for r in wide) == ['="01"', '="0\u0663"']
