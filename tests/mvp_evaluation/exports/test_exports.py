"""GET /exports/responses?wave=: pseudonymous item-level CSV, streamed, to evaluators only;
what was imported comes back exactly, and posting the export again stores the same rows."""

from __future__ import annotations

import pytest

from tests.mvp_evaluation.support import (
    BASE,
    XLSX,
    Survey,
    csv_text,
    items,
    stored_responses,
    xlsx_body,
)
from tests.support import Schema, Tokens, refused

CODES = ["q1", "q2", "q3"]
ROWS: list[tuple[str, list[int | None]]] = [
    ("Z9", [1, 5, 3]),
    ("A018", [2, None, 4]),
    ("elev-0042", [None, None, None]),
    ("S12/7", [5, 1, 1]),
]


async def ready(survey: Survey) -> int:
    await survey.instrument(item_list=items(3))
    return await survey.wave(await survey.school())


class TestExport:
    async def test_the_export_is_the_imported_csv_byte_for_byte(self, survey: Survey) -> None:
        wave = await ready(survey)
        imported = csv_text(ROWS, CODES, ",")
        await survey.post(wave, imported)

        response = await survey.export(wave)

        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert f'filename="wave-{wave}-responses.csv"' in response.headers["content-disposition"]
        assert response.text == imported

    async def test_semicolons_on_request_and_batches_in_the_order_they_came(
        self, survey: Survey
    ) -> None:
        wave = await ready(survey)
        await survey.post(wave, csv_text(ROWS[:2], CODES, ","))
        await survey.post_json(
            wave,
            [
                {"respondent": code, "answers": dict(zip(CODES, answers, strict=True))}
                for code, answers in ROWS[2:]
            ],
        )

        response = await survey.export(wave, delimiter="semicolon")

        assert response.text == csv_text(ROWS, CODES, ";")

    async def test_posting_an_export_to_a_new_wave_stores_exactly_the_same_rows(
        self, survey: Survey, schema: Schema
    ) -> None:
        await survey.instrument(item_list=items(30))
        school = await survey.school()
        first, second = await survey.wave(school, "pre"), await survey.wave(school, "post")
        codes = [f"q{i}" for i in range(1, 31)]
        rows: list[tuple[str, list[int | None]]] = [
            (f"P{n:05d}", [None if (n * i) % 13 == 0 else (n + i) % 5 + 1 for i in range(30)])
            for n in range(2_500)
        ]
        body = xlsx_body(["respondent", *codes], [[code, *answers] for code, answers in rows])
        assert (await survey.post(first, body, XLSX)).status_code == 201

        exported = await survey.export(first)
        reposted = await survey.post(second, exported.content)
        again = await survey.export(second)

        assert reposted.status_code == 201
        assert again.content == exported.content
        assert exported.text == csv_text(rows, codes, ",")
        stored_rows = await stored_responses(schema)
        assert [(code, answers) for wave, code, answers in stored_rows if wave == first] == rows
        assert [(code, answers) for wave, code, answers in stored_rows if wave == second] == rows

    async def test_an_empty_wave_exports_its_header(self, survey: Survey) -> None:
        wave = await ready(survey)

        response = await survey.export(wave)

        assert response.status_code == 200
        assert response.text == "respondent,q1,q2,q3\r\n"

    async def test_an_unknown_wave_is_404(self, survey: Survey, schema: Schema) -> None:
        before = await schema.counts()

        response = await survey.export(9999)

        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "not-found"
        assert await schema.counts() == before


class TestAccess:
    @pytest.mark.parametrize("role", ["reader", "rss", "organiser"])
    async def test_only_evaluators_and_admins_may_export(
        self, survey: Survey, tokens: Tokens, schema: Schema, role: str
    ) -> None:
        wave = await ready(survey)
        await survey.post(wave, csv_text(ROWS, CODES))
        headers = {
            "reader": tokens.reader,
            "rss": tokens.rss("01"),
            "organiser": tokens.organiser("212000-0142"),
        }[role]
        before = await schema.counts()

        forbidden = await survey.client.get(
            f"{BASE}/exports/responses", params={"wave": wave}, headers=headers
        )
        admin = await survey.client.get(
            f"{BASE}/exports/responses", params={"wave": wave}, headers=tokens.admin
        )

        assert forbidden.status_code == 403
        assert "A018" not in forbidden.text
        refused(forbidden, 403, "forbidden")
        assert await schema.counts() == before
        assert admin.status_code == 200

    async def test_without_a_token_it_is_401(self, survey: Survey, schema: Schema) -> None:
        wave = await ready(survey)
        before = await schema.counts()

        response = await survey.client.get(f"{BASE}/exports/responses", params={"wave": wave})

        assert response.status_code == 401
        assert response.json()["type"] == "invalid-token"
        assert await schema.counts() == before
