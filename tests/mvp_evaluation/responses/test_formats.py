"""Ingestion formats: JSON, CSV (comma or semicolon, with or without BOM, blank = missing),
XLSX; each stores the same rows, written with COPY, and answers 201 {wave_id, imported}."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from tests.mvp_evaluation.support import XLSX, Survey, csv_text, items, stored_responses, xlsx_body
from tests.support import Schema, refused

CODES = ["q1", "q2", "q3"]
ROWS: list[tuple[str, list[int | None]]] = [
    ("A017", [1, 5, 3]),
    ("A018", [2, None, 4]),
    ("elev-0042", [None, None, None]),
    ("S12/7", [5, 1, 1]),
]


async def ready(survey: Survey) -> int:
    await survey.instrument(item_list=items(3))
    return await survey.wave(await survey.school())


class TestFormats:
    @pytest.mark.parametrize(
        ("delimiter", "bom", "line_end"),
        [(";", True, "\r\n"), (";", False, "\n"), (",", False, "\r\n"), (",", True, "\n")],
    )
    async def test_csv_in_any_of_excels_shapes_is_stored_with_blank_as_missing(
        self, survey: Survey, schema: Schema, delimiter: str, bom: bool, line_end: str
    ) -> None:
        wave = await ready(survey)
        text = csv_text(ROWS, CODES, delimiter).replace("\r\n", line_end)
        body = ("\ufeff" if bom else "") + text

        response = await survey.post(wave, body.encode())

        assert response.status_code == 201, response.text
        assert response.json() == {
            "wave_id": wave,
            "imported": 4,
            "in_other_schools": 0,
            "matched_pre": None,
        }
        assert await stored_responses(schema) == [(wave, code, answers) for code, answers in ROWS]

    async def test_json_is_stored_with_null_and_left_out_items_as_missing(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)

        response = await survey.post_json(
            wave,
            [
                {"respondent": "A017", "answers": {"q1": 1, "q2": 5, "q3": 3}},
                {"respondent": "A018", "answers": {"q1": 2, "q2": None, "q3": 4}},
                {"respondent": "elev-0042", "answers": {}},
                {"respondent": "S12/7", "answers": {"q3": 1, "q2": 1, "q1": 5}},
            ],
        )

        assert response.status_code == 201, response.text
        assert response.json() == {
            "wave_id": wave,
            "imported": 4,
            "in_other_schools": 0,
            "matched_pre": None,
        }
        assert await stored_responses(schema) == [(wave, code, answers) for code, answers in ROWS]

    async def test_xlsx_first_sheet_is_stored_as_the_csv_would_be(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        body = xlsx_body(["respondent", *CODES], [[code, *answers] for code, answers in ROWS])

        response = await survey.post(wave, body, XLSX)

        assert response.status_code == 201, response.text
        assert response.json() == {
            "wave_id": wave,
            "imported": 4,
            "in_other_schools": 0,
            "matched_pre": None,
        }
        assert await stored_responses(schema) == [(wave, code, answers) for code, answers in ROWS]

    async def test_columns_in_any_order_and_case_with_items_left_out(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)

        response = await survey.post(wave, b"Q3;Respondent;q1\r\n4;A1;2\r\n;A2;\r\n")

        assert response.status_code == 201, response.text
        assert await stored_responses(schema) == [
            (wave, "A1", [2, None, 4]),
            (wave, "A2", [None] * 3),
        ]

    async def test_quoted_cells_and_blank_lines_are_read_as_excel_writes_them(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)

        response = await survey.post(wave, b'respondent;q1;q2;q3\r\n"A1";"3";4;\r\n;;;\r\n\r\n')

        assert response.status_code == 201, response.text
        assert await stored_responses(schema) == [(wave, "A1", [3, 4, None])]

    async def test_a_second_batch_adds_respondents_and_the_count_follows(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        await survey.post(wave, csv_text(ROWS[:2], CODES))

        response = await survey.post(wave, csv_text(ROWS[2:], CODES))

        assert response.status_code == 201
        assert [row[1] for row in await stored_responses(schema)] == [code for code, _ in ROWS]
        assert await survey.respondents(wave) == 4
        assert (await schema.count("response"), await schema.count("response_import")) == (4, 2)

    async def test_a_large_batch_goes_in_whole_across_chunks(
        self, survey: Survey, schema: Schema
    ) -> None:
        await survey.instrument(item_list=items(30))
        wave = await survey.wave(await survey.school())
        codes = [f"q{i}" for i in range(1, 31)]
        rows: list[tuple[str, list[int | None]]] = [
            (f"P{n:05d}", [None if (n + i) % 17 == 0 else (n * i) % 5 + 1 for i in range(30)])
            for n in range(12_000)
        ]

        response = await survey.post(wave, csv_text(rows, codes))

        assert response.status_code == 201, response.text
        assert response.json()["imported"] == 12_000
        assert await stored_responses(schema) == [(wave, code, answers) for code, answers in rows]

    @pytest.mark.parametrize("media", ["csv", "json"])
    async def test_a_body_in_tiny_pieces_is_read_the_same(
        self, survey: Survey, schema: Schema, media: str
    ) -> None:
        wave = await ready(survey)
        if media == "csv":
            body, content_type = ("\ufeff" + csv_text(ROWS, CODES)).encode(), "text/csv"
        else:
            responses = [
                {"respondent": code, "answers": dict(zip(CODES, answers, strict=True))}
                for code, answers in ROWS
            ]
            body, content_type = json.dumps({"responses": responses}).encode(), "application/json"

        async def pieces() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 3):  # splits the BOM and every number
                yield body[start : start + 3]

        response = await survey.post(wave, pieces(), content_type)

        assert response.status_code == 201, response.text
        assert await stored_responses(schema) == [(wave, code, answers) for code, answers in ROWS]

    async def test_another_content_type_is_415_and_stores_nothing(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()

        response = await survey.post(wave, csv_text(ROWS, CODES), "text/plain")

        assert response.status_code == 415
        assert response.headers["content-type"] == "application/problem+json"
        refused(response, 415, "unsupported-media-type")
        assert await schema.counts() == before
