"""Bad input and limits: malformed CSV and JSON, wrong encodings, a body over the limit (a
2 GB one included), more rows than a batch may carry, XLSX bombs and damaged workbooks.
Each is a clear problem response, read no further than needed, and stores nothing."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.mvp_evaluation.support import (
    BASE,
    XLSX,
    GatewayWith,
    Survey,
    csv_text,
    items,
    key,
    xlsx_body,
)
from tests.support import Schema

CODES = ["q1", "q2"]
TWO_GB = 2 * 1024**3


async def ready(survey: Survey) -> int:
    await survey.instrument(item_list=items(2))
    return await survey.wave(await survey.school())


def problem_of(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/problem+json"
    problem_type: str = response.json()["type"]
    return problem_type


class Endless:
    """A CSV body of `rows` respondents, made as it is sent; counts the bytes taken."""

    def __init__(self, rows: int, chunk_rows: int = 4096) -> None:
        self.rows = rows
        self.chunk_rows = chunk_rows
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        header = b"respondent;q1;q2\r\n"
        self.sent += len(header)
        yield header
        for start in range(0, self.rows, self.chunk_rows):
            end = min(start + self.chunk_rows, self.rows)
            chunk = "".join(f"R{n};3;4\r\n" for n in range(start, end)).encode()
            self.sent += len(chunk)
            yield chunk


class TestMalformed:
    @pytest.mark.parametrize(
        ("body", "words"),
        [
            (b'respondent;q1;q2\r\nA1;"1;2\r\n', "quoted"),
            (b'respondent;q1;q2\r\nA1;"1"x;2\r\n', "Malformed CSV in row 2"),
            (b"", "empty"),
            ("respondent;q1;q2\r\nÅsa;1;2\r\n".encode("latin-1"), "not UTF-8"),
            ("respondent;q1;q2\r\nA1;1;2\r\n".encode("utf-16"), "not UTF-8"),
        ],
        ids=["unclosed-quote", "text-after-quote", "empty", "latin-1", "utf-16"],
    )
    async def test_a_csv_that_cannot_be_read_is_422_invalid_upload(
        self, survey: Survey, schema: Schema, body: bytes, words: str
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()

        response = await survey.post(wave, body)

        assert response.status_code == 422
        assert problem_of(response) == "invalid-upload"
        assert words in response.json()["detail"]
        assert await schema.counts() == before

    async def test_a_declared_charset_other_than_utf8_is_422(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()

        response = await survey.post(
            wave, csv_text([("A1", [1, 2])], CODES), "text/csv; charset=windows-1252"
        )

        assert response.status_code == 422
        assert problem_of(response) == "invalid-upload"
        assert await schema.counts() == before

    @pytest.mark.parametrize(
        "body",
        [
            '{"responses": [{"respondent": "A1", "answers": {"q1": 1}}',
            '{"responses": [{"respondent": "A1", "answers": {"q1": 1}},]}',
            '[{"respondent": "A1"}]',
            '{"responses": [{"respondent": "A1", "answers": {}}]} trailing',
            "",
        ],
        ids=["truncated", "trailing-comma", "not-an-object", "trailing-text", "empty"],
    )
    async def test_malformed_json_is_422_invalid_upload(
        self, survey: Survey, schema: Schema, body: str
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()

        response = await survey.post(wave, body, "application/json")

        assert response.status_code == 422
        assert problem_of(response) == "invalid-upload"
        assert await schema.counts() == before


class TestSize:
    async def test_a_declared_2_gb_body_is_413_before_anything_is_read(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()
        body = Endless(10)

        response = await survey.post(wave, body, headers={"Content-Length": str(TWO_GB)})

        assert response.status_code == 413
        assert problem_of(response) == "payload-too-large"
        assert body.sent == 0
        assert await schema.counts() == before

    async def test_a_streamed_body_over_the_limit_is_413_through_the_gateway(
        self, gateway_with: GatewayWith, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()
        async with gateway_with(max_upload_bytes=256 * 1024) as client:
            response = await client.post(
                f"{BASE}/waves/{wave}/responses",
                content=Endless(200_000),  # 2.6 MB, no Content-Length
                headers={**survey.headers, **key(), "Content-Type": "text/csv"},
            )

        assert response.status_code == 413
        assert problem_of(response) == "payload-too-large"
        assert await schema.counts() == before

    async def test_a_2_gb_stream_is_read_only_up_to_the_limit(
        self, service_with: GatewayWith, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()
        body = Endless(TWO_GB // 10)  # about 2 GB if it were all sent
        async with service_with(max_upload_bytes=256 * 1024) as client:
            response = await client.post(
                f"{BASE}/waves/{wave}/responses",
                content=body,
                headers={**survey.headers, **key(), "Content-Type": "text/csv"},
            )

        assert response.status_code == 413
        assert problem_of(response) == "payload-too-large"
        assert body.sent < 1024 * 1024
        assert await schema.counts() == before

    async def test_ten_million_rows_are_413_too_many_rows_once_the_limit_is_passed(
        self, service_with: GatewayWith, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()
        body = Endless(10_000_000)  # ten million rows if it were all sent
        async with service_with(max_rows=20_000) as client:
            response = await client.post(
                f"{BASE}/waves/{wave}/responses",
                content=body,
                headers={**survey.headers, **key(), "Content-Type": "text/csv"},
            )

        assert response.status_code == 413
        assert problem_of(response) == "too-many-rows"
        assert "20000" in response.json()["detail"]
        assert body.sent < 2 * 1024 * 1024
        assert await schema.counts() == before

    async def test_a_batch_at_the_row_limit_is_accepted(
        self, gateway_with: GatewayWith, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        async with gateway_with(max_rows=3) as client:
            response = await client.post(
                f"{BASE}/waves/{wave}/responses",
                content=Endless(3),
                headers={**survey.headers, **key(), "Content-Type": "text/csv"},
            )

        assert response.status_code == 201
        assert await schema.count("response") == 3


def bomb(sheet_bytes: int) -> bytes:
    """A workbook whose sheet is mostly blank space: it expands far beyond its size."""
    valid = zipfile.ZipFile(io.BytesIO(xlsx_body(["respondent", *CODES], [["A1", 1, 2]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in valid.infolist():
            data = valid.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * sheet_bytes)
            archive.writestr(part.filename, data)
    return out.getvalue()


def with_part(name: str, data: bytes) -> bytes:
    valid = zipfile.ZipFile(io.BytesIO(xlsx_body(["respondent", *CODES], [["A1", 1, 2]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in valid.infolist():
            archive.writestr(part.filename, data if part.filename == name else valid.read(part))
    return out.getvalue()


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>
"""


class TestXlsx:
    async def test_an_xlsx_bomb_is_413_before_it_is_expanded(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()
        body = bomb(8 * 1024 * 1024)
        assert len(body) < 64 * 1024

        response = await survey.post(wave, body, XLSX)

        assert response.status_code == 413
        assert problem_of(response) == "payload-too-large"
        assert "zip bomb" in response.json()["detail"]
        assert await schema.counts() == before

    @pytest.mark.parametrize(
        ("body", "words"),
        [
            (b"respondent;q1\r\nA1;1\r\n", "not an XLSX workbook"),
            (xlsx_body(["a"], [])[:-100], "not an XLSX workbook"),
            (with_part("xl/worksheets/sheet1.xml", LAUGHS), "entities"),
            (with_part("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>"), "readable"),
        ],
        ids=["csv-as-xlsx", "truncated", "entity-expansion", "broken-xml"],
    )
    async def test_a_workbook_that_cannot_be_read_is_422(
        self, survey: Survey, schema: Schema, body: bytes, words: str
    ) -> None:
        wave = await ready(survey)
        before = await schema.counts()

        response = await survey.post(wave, body, XLSX)

        assert response.status_code == 422, response.text
        assert problem_of(response) == "invalid-upload"
        assert words in response.json()["detail"]
        assert await schema.counts() == before
