"""Small typed factories for the mvp-evaluation tests: schools, instruments, waves and uploads
through the gateway, the bodies they post, and what the schema holds."""

from __future__ import annotations

import io
import itertools
import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from openpyxl import Workbook  # type: ignore[import-untyped]  # no stubs in the lock

from tests.support import Schema, Tokens, expect

BASE = "/mvp-evaluation/v1"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ORGANISATIONS = ("212000-0142", "232100-0016", "212000-1124", "212000-2965", "222000-0182")
_school_codes = itertools.count(10000001)

Rows = Sequence[tuple[str, Sequence[int | None]]]
GatewayWith = Callable[..., Any]  # a context manager: a client of apps with these settings


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def items(count: int, *, scale: str = "attityd", reverse: tuple[int, ...] = ()) -> list[Any]:
    """`count` items q1, q2, ... answered 1-5, of one scale; the given positions reversed."""
    return [
        {
            "code": f"q{i}",
            "text": f"Påstående {i}",
            "min": 1,
            "max": 5,
            "reverse": i in reverse,
            "scale": scale,
        }
        for i in range(1, count + 1)
    ]


def school_body(code: str, arm: str = "intervention", **change: Any) -> dict[str, Any]:
    return {
        "school_unit_code": code,
        "name": f"Skola {code}",
        "organisation_number": ORGANISATIONS[0],
        "municipality_code": "0180",
        "arm": arm,
        **change,
    }


def wave_body(school: str, kind: str = "pre", **change: Any) -> dict[str, Any]:
    return {
        "school_unit_code": school,
        "instrument_code": "mvp-elev",
        "instrument_version": 1,
        "kind": kind,
        "cohort": "2019",
        "administered_on": "2019-09-16" if kind == "pre" else "2020-05-11",
        **change,
    }


def csv_text(rows: Rows, codes: list[str], delimiter: str = ";") -> str:
    """A CSV as Swedish Excel writes it (semicolons), blank for a missing answer."""
    lines = [delimiter.join(["respondent", *codes])]
    for respondent, answers in rows:
        cells = ["" if value is None else str(value) for value in answers]
        lines.append(delimiter.join([respondent, *cells]))
    return "\r\n".join(lines) + "\r\n"


def xlsx_body(header: list[Any], rows: list[list[Any]]) -> bytes:
    """A workbook whose first sheet has the header and the rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Survey:
    """The mvp-evaluation API as an evaluator calls it through the gateway (one client for the
    whole test: idempotency keys are scoped by client)."""

    def __init__(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        self.client = client
        self.tokens = tokens
        self.headers = tokens.evaluator

    async def post_school(
        self, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.client.post(f"{BASE}/schools", json=body, headers=headers or self.headers)

    async def school(
        self, arm: str = "intervention", code: str | None = None, owner: str | None = None
    ) -> str:
        """A school that must be registered (of organiser `owner`, else the first); its code."""
        body = school_body(code or str(next(_school_codes)), arm)
        response = await self.post_school(body | ({"organisation_number": owner} if owner else {}))
        code_made: str = expect(response, 201)["school_unit_code"]
        return code_made

    async def post_instrument(
        self, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"{BASE}/instruments", json=body, headers=headers or self.headers
        )

    async def instrument(
        self, code: str = "mvp-elev", version: int = 1, item_list: list[Any] | None = None
    ) -> dict[str, Any]:
        """An instrument version that must be new."""
        body = {"code": code, "version": version, "items": item_list or items(4)}
        return expect(await self.post_instrument(body), 201)

    async def post_wave(self, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(f"{BASE}/waves", json=body, headers=self.headers)

    async def wave(
        self,
        school: str,
        kind: str = "pre",
        cohort: str = "2019",
        instrument: str = "mvp-elev",
        version: int = 1,
    ) -> int:
        """A wave that must be registered; its id."""
        body = wave_body(
            school, kind, cohort=cohort, instrument_code=instrument, instrument_version=version
        )
        wave_id: int = expect(await self.post_wave(body), 201)["id"]
        return wave_id

    async def post(
        self,
        wave: int,
        content: bytes | str | Any,
        content_type: str = CSV,
        *,
        dry_run: bool = False,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Post responses to the wave, with a new Idempotency-Key unless `headers` has one."""
        all_headers = {**self.headers, **key(), "Content-Type": content_type, **(headers or {})}
        return await self.client.post(
            f"{BASE}/waves/{wave}/responses",
            content=content,
            headers=all_headers,
            params={"dry_run": "true"} if dry_run else None,
        )

    async def post_json(self, wave: int, responses: list[Any]) -> httpx.Response:
        return await self.post(wave, json.dumps({"responses": responses}), "application/json")

    async def export(self, wave: int, **params: str) -> httpx.Response:
        return await self.client.get(
            f"{BASE}/exports/responses", params={"wave": wave, **params}, headers=self.headers
        )

    async def get(self, path: str, headers: dict[str, str], **params: Any) -> httpx.Response:
        return await self.client.get(f"{BASE}{path}", params=params, headers=headers)

    async def respondents(self, wave: int) -> int:
        """The wave's respondent count, as an evaluator sees it."""
        count: int = expect(await self.get(f"/waves/{wave}", self.headers), 200)["respondents"]
        return count


async def stored_responses(schema: Schema) -> list[tuple[int, str, list[int | None]]]:
    """Every stored response (wave, respondent, answers) in wave and position order."""
    rows = await schema.rows(
        "SELECT wave_id, respondent, answers FROM mvp_evaluation.response "
        "ORDER BY wave_id, position"
    )
    return [(row[0], row[1], list(row[2])) for row in rows]
