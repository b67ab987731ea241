"""Every value checked: ranges, unknown columns, repeated respondents, personnummer in any
column. A batch is all or nothing: the 422 lists every bad row (row, field, value, message),
at most 1000 of them with `error_count` the total, and nothing is stored."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.mvp_evaluation.support import XLSX, Survey, csv_text, items, stored_responses, xlsx_body
from tests.support import Schema, refused

CODES = ["q1", "q2"]
PERSONNUMMER = "19800101-1234"


async def ready(survey: Survey) -> int:
    await survey.instrument(item_list=items(2))
    return await survey.wave(await survey.school())


async def stored_counts(schema: Schema) -> tuple[int, int, int]:
    """Stored responses, import records and idempotency keys."""
    counts = await schema.counts()
    return counts["response"], counts["response_import"], counts["idempotency_key"]


def bad_rows(body: dict[str, Any]) -> list[tuple[int | None, str | None, Any]]:
    return [(error["row"], error["field"], error["value"]) for error in body["errors"]]


class TestAllOrNothing:
    async def test_every_bad_row_is_listed_and_nothing_is_stored(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()
        text = "respondent;q1;q2\r\nA1;1;2\r\nA2;6;2\r\nA3;3;x\r\nA4;0;-1\r\nA5;5;5\r\n"

        response = await survey.post(wave, text)

        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        body = refused(response, 422, "validation-error")
        assert body["error_count"] == 4
        assert bad_rows(body) == [(3, "q1", 6), (4, "q2", "x"), (5, "q1", 0), (5, "q2", -1)]
        assert all(error["message"] for error in body["errors"])
        assert "nothing was stored" in body["detail"]
        assert await schema.counts() == before
        assert await survey.respondents(wave) == 0

    async def test_json_rows_are_checked_the_same_way(self, survey: Survey, schema: Schema) -> None:
        wave = await ready(survey)
        before = await schema.counts()

        response = await survey.post_json(
            wave,
            [
                {"respondent": "A1", "answers": {"q1": 1}},
                {"respondent": "A2", "answers": {"q1": 9, "q2": "3"}},
                {"respondent": "A3", "answers": {"q1": 2.5, "zz": 1}},
                {"respondent": "A4", "answers": {"q2": True}, "name": "Kim"},
                {"respondent": 7, "answers": {}},
                "A6",
            ],
        )

        assert response.status_code == 422
        errors = bad_rows(refused(response, 422, "validation-error"))
        assert [row or 0 for row, _, _ in errors] == sorted(row or 0 for row, _, _ in errors)
        assert sorted(errors, key=repr) == sorted(
            [
                (2, "q1", 9),
                (2, "q2", "3"),
                (3, "q1", 2.5),
                (3, "zz", 1),
                (4, "name", None),
                (4, "q2", True),
                (5, "respondent", 7),
                (6, None, None),
            ],
            key=repr,
        )
        assert await schema.counts() == before

    async def test_a_dry_run_checks_a_good_batch_and_stores_nothing(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()
        text = csv_text([("A1", [1, 2]), ("A2", [None, 5])], CODES)

        checked = await survey.post(wave, text, dry_run=True)

        assert checked.status_code == 200
        assert checked.json() == {
            "wave_id": wave,
            "valid": 2,
            "in_other_schools": 0,
            "matched_pre": None,
        }
        assert await schema.counts() == before

    async def test_a_dry_run_of_a_bad_batch_is_the_same_422(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()
        text = csv_text([("A1", [1, 7])], CODES)

        checked = await survey.post(wave, text, dry_run=True)
        posted = await survey.post(wave, text)

        assert checked.status_code == posted.status_code == 422
        assert checked.json()["errors"] == posted.json()["errors"]
        refused(checked, 422, "validation-error")
        assert await schema.counts() == before

    async def test_the_list_stops_at_1000_and_error_count_has_them_all(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()
        rows: list[tuple[str, list[int | None]]] = [(f"A{n}", [9, 9]) for n in range(1500)]

        response = await survey.post(wave, csv_text(rows, CODES))

        assert response.status_code == 422
        body = refused(response, 422, "validation-error")
        assert body["error_count"] == 3000
        assert len(body["errors"]) == 1000
        assert body["errors"][0] == {
            "row": 2,
            "field": "q1",
            "value": 9,
            "message": "9 is outside the item's range 1–5",
        }
        assert "The first 1000 are listed" in body["detail"]
        assert await schema.counts() == before

    async def test_an_empty_batch_is_422(self, survey: Survey, schema: Schema) -> None:
        wave = await ready(survey)
        before = await schema.counts()

        header_only = await survey.post(wave, "respondent;q1;q2\r\n")
        no_rows = await survey.post_json(wave, [])

        assert header_only.status_code == no_rows.status_code == 422
        refused(header_only, 422, "invalid-upload")
        refused(no_rows, 422, "invalid-upload")
        assert await schema.counts() == before


class TestColumnsAndRespondents:
    async def test_unknown_columns_and_a_missing_respondent_column_are_errors(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()

        unknown = await survey.post(wave, "respondent;q1;q9;kön\r\nA1;1;2;f\r\n")
        no_respondent = await survey.post(wave, "q1;q2\r\n1;2\r\n")

        assert unknown.status_code == 422
        assert bad_rows(unknown.json()) == [(1, "q9", "q9"), (1, "kön", "kön")]
        assert no_respondent.status_code == 422
        refused(unknown, 422, "validation-error")
        refused(no_respondent, 422, "validation-error")
        assert bad_rows(no_respondent.json()) == [(1, "respondent", None)]
        assert await schema.counts() == before

    async def test_a_respondent_twice_in_a_batch_is_an_error_on_each_repeat(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()
        rows: list[tuple[str, list[int | None]]] = [
            ("A1", [1, 1]),
            ("A2", [2, 2]),
            ("A1", [3, 3]),
            ("A2", [4, 4]),
            ("A1", [5, 5]),
        ]

        response = await survey.post(wave, csv_text(rows, CODES))

        assert response.status_code == 422
        errors = refused(response, 422, "validation-error")["errors"]
        assert [(e["row"], e["field"], e["value"]) for e in errors] == [
            (4, "respondent", "A1"),
            (5, "respondent", "A2"),
            (6, "respondent", "A1"),
        ]
        assert "first in row 2" in errors[0]["message"]
        assert await schema.counts() == before

    async def test_a_respondent_already_in_the_wave_is_an_error(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        await survey.post(wave, csv_text([("A1", [1, 1]), ("A2", [2, 2])], CODES))
        before = await schema.counts()

        response = await survey.post(wave, csv_text([("A3", [1, 1]), ("A2", [3, 3])], CODES))

        assert response.status_code == 422
        assert bad_rows(refused(response, 422, "validation-error")) == [(3, "respondent", "A2")]
        assert [row[1] for row in await stored_responses(schema)] == ["A1", "A2"]
        assert await schema.counts() == before

    @pytest.mark.parametrize("code", ["", "-A1", "a b", "x" * 65])
    async def test_a_malformed_respondent_code_is_an_error(
        self, survey: Survey, schema: Schema, code: str
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()

        response = await survey.post(wave, f"respondent;q1;q2\r\nA1;1;1\r\n{code};2;2\r\n")

        assert response.status_code == 422
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(3, "respondent")]
        refused(response, 422, "validation-error")
        assert await schema.counts() == before


class TestPersonnummer:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (f"respondent;q1;q2\r\n{PERSONNUMMER};1;2\r\n", (2, "respondent")),
            ("respondent;q1;q2\r\nA1;8001011234;2\r\n", (2, "q1")),
            ("respondent;q1;q2\r\nA1;1;800101-1234\r\n", (2, "q2")),
            (f"respondent;q1;q2;namn\r\nA1;1;2;{PERSONNUMMER}\r\n", (2, None)),
            (f"respondent;q1;q2;\r\nA1;1;2;id {PERSONNUMMER}\r\n", (2, None)),
            (f"respondent;q1;q2\r\nA1;1;2;{PERSONNUMMER}\r\n", (2, None)),
            (f"respondent;q1;q2;{PERSONNUMMER}\r\nA1;1;2;\r\n", (1, "[redacted]")),
            (f"respondent;q1;q2\r\n{PERSONNUMMER};1\r\n", (2, None)),
        ],
        ids=[
            "respondent",
            "item",
            "item-dash",
            "unknown-column",
            "unnamed",
            "beyond",
            "header",
            "short-row",
        ],
    )
    async def test_a_personnummer_in_any_column_is_refused_and_never_echoed(
        self, survey: Survey, schema: Schema, text: str, expected: tuple[int, str | None]
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()

        response = await survey.post(wave, text)

        assert response.status_code == 422
        refused(response, 422, "validation-error")
        assert "personnummer" in response.text
        assert PERSONNUMMER not in response.text
        assert "8001011234" not in response.text
        assert "800101-1234" not in response.text
        found = [(e["row"], e["field"]) for e in response.json()["errors"]]
        assert expected in found
        assert all(
            e["value"] in (None, "[redacted]")
            for e in response.json()["errors"]
            if "personnummer" in e["message"]
        )
        assert await schema.counts() == before

    async def test_a_personnummer_anywhere_in_json_is_refused(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()

        response = await survey.post_json(
            wave,
            [
                {"respondent": PERSONNUMMER, "answers": {"q1": 1}},
                {"respondent": "A2", "answers": {"q1": "800101-1234"}},
                {"respondent": "A3", "answers": {"q1": 198001011234}},
            ],
        )

        assert response.status_code == 422
        refused(response, 422, "validation-error")
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
            (1, "respondent"),
            (2, "q1"),
            (3, "q1"),
        ]
        assert "800101" not in response.text
        assert await schema.counts() == before

    async def test_a_personnummer_in_an_xlsx_cell_is_refused(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()
        body = xlsx_body(["respondent", "q1", "q2", "anteckning"], [["A1", 1, 2, PERSONNUMMER]])

        response = await survey.post(wave, body, XLSX)

        assert response.status_code == 422
        refused(response, 422, "validation-error")
        assert PERSONNUMMER not in response.text
        assert await schema.counts() == before


class TestIdempotency:
    async def test_an_upload_without_idempotency_key_is_400_and_stores_nothing(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()
        headers = {**survey.headers, "Content-Type": "text/csv"}

        response = await survey.client.post(
            f"/mvp-evaluation/v1/waves/{wave}/responses",
            content=csv_text([("A1", [1, 2])], CODES),
            headers=headers,
        )

        assert response.status_code == 400
        assert response.json()["type"] == "idempotency-key-required"
        assert await schema.counts() == before

    async def test_a_retry_with_the_same_key_replays_and_stores_once(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        text = csv_text([("A1", [1, 2]), ("A2", [3, 4])], CODES)
        same = {"Idempotency-Key": "upload-2019-pre-1"}

        first = await survey.post(wave, text, headers=same)
        retry = await survey.post(wave, text, headers=same)
        other_body = await survey.post(wave, csv_text([("A3", [1, 2])], CODES), headers=same)

        assert first.status_code == retry.status_code == 201
        assert retry.json() == first.json()
        assert retry.headers["idempotent-replayed"] == "true"
        assert other_body.status_code == 422
        assert other_body.json()["type"] == "idempotency-key-reused"
        assert await stored_counts(schema) == (2, 1, 1)

    async def test_a_json_retry_is_recognised_by_its_bytes(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        body = json.dumps({"responses": [{"respondent": "A1", "answers": {"q1": 1}}]})
        same = {"Idempotency-Key": "json-1"}

        first = await survey.post(wave, body, "application/json", headers=same)
        retry = await survey.post(wave, body, "application/json", headers=same)

        assert first.status_code == retry.status_code == 201
        assert retry.headers["idempotent-replayed"] == "true"
        assert await stored_counts(schema) == (1, 1, 1)

    async def test_a_reader_cannot_post_responses(self, survey: Survey, schema: Schema) -> None:
        wave = await ready(survey)
        before = await schema.counts()

        response = await survey.post(
            wave, csv_text([("A1", [1, 2])], CODES), headers=survey.tokens.reader
        )

        assert response.status_code == 403
        refused(response, 403, "forbidden")
        assert await schema.counts() == before


class TestConcurrency:
    async def test_two_batches_with_a_shared_respondent_at_once_store_one(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        first = csv_text([(f"A{n}", [1, 2]) for n in range(500)], CODES)
        second = csv_text([(f"B{n}", [1, 2]) for n in range(500)] + [("A7", [3, 3])], CODES)

        responses = await asyncio.gather(survey.post(wave, first), survey.post(wave, second))

        # Whichever is second waits for the first's lock, finds A7 stored, and stores nothing.
        assert sorted(response.status_code for response in responses) == [201, 422]
        second_one = next(response for response in responses if response.status_code == 422)
        accepted = next(response for response in responses if response.status_code == 201)
        assert [error["value"] for error in second_one.json()["errors"]] == ["A7"]
        refused(second_one, 422, "validation-error")
        imported = accepted.json()["imported"]
        assert (await stored_counts(schema))[:2] == (imported, 1)
        assert await survey.respondents(wave) == imported
