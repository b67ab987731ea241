"""Factories and fixtures of the mvp-evaluation tests: schools, instruments, waves, uploads."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from gateway.main import create_app as create_gateway
from tests.database import DatabaseRun
from tests.support import (
    SERVICE_FACTORIES,
    Tokens,
    asgi_client,
    gateway_settings,
    service_app,
    started,
)

BASE = "/mvp-evaluation/v1"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ORGANISATIONS = ("212000-0142", "232100-0016", "212000-1124", "212000-2965", "222000-0182")
_school_codes = itertools.count(10000001)


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


class Survey:
    """Registers what a test needs, through the gateway, as an evaluator."""

    def __init__(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        self.client = client
        self.tokens = tokens
        # One evaluator client for the whole test: idempotency keys are scoped by client.
        self.headers = tokens.evaluator

    async def school(self, arm: str = "intervention", code: str | None = None) -> str:
        code = code or str(next(_school_codes))
        response = await self.client.post(
            f"{BASE}/schools",
            json={
                "school_unit_code": code,
                "name": f"Skola {code}",
                "organisation_number": ORGANISATIONS[0],
                "municipality_code": "0180",
                "arm": arm,
            },
            headers=self.headers,
        )
        assert response.status_code == 201, response.text
        return code

    async def instrument(
        self, code: str = "mvp-elev", version: int = 1, item_list: list[Any] | None = None
    ) -> dict[str, Any]:
        response = await self.client.post(
            f"{BASE}/instruments",
            json={"code": code, "version": version, "items": item_list or items(4)},
            headers=self.headers,
        )
        assert response.status_code in (200, 201), response.text
        body: dict[str, Any] = response.json()
        return body

    async def wave(
        self,
        school: str,
        kind: str = "pre",
        cohort: str = "2019",
        instrument: str = "mvp-elev",
        version: int = 1,
    ) -> int:
        response = await self.client.post(
            f"{BASE}/waves",
            json={
                "school_unit_code": school,
                "instrument_code": instrument,
                "instrument_version": version,
                "kind": kind,
                "cohort": cohort,
                "administered_on": "2019-09-16" if kind == "pre" else "2020-05-11",
            },
            headers=self.headers,
        )
        assert response.status_code == 201, response.text
        wave_id: int = response.json()["id"]
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
        all_headers = {**self.headers, **key(), "Content-Type": content_type, **(headers or {})}
        return await self.client.post(
            f"{BASE}/waves/{wave}/responses",
            content=content,
            headers=all_headers,
            params={"dry_run": "true"} if dry_run else None,
        )

    async def post_json(self, wave: int, responses: list[Any]) -> httpx.Response:
        import json

        return await self.post(wave, json.dumps({"responses": responses}), "application/json")

    async def export(self, wave: int) -> httpx.Response:
        return await self.client.get(
            f"{BASE}/exports/responses", params={"wave": wave}, headers=self.headers
        )

    async def respondents(self, wave: int) -> int:
        response = await self.client.get(f"{BASE}/waves/{wave}", headers=self.headers)
        count: int = response.json()["respondents"]
        return count


def csv_text(
    rows: Sequence[tuple[str, Sequence[int | None]]], codes: list[str], delimiter: str = ";"
) -> str:
    """A CSV as Swedish Excel writes it (semicolons), blank for a missing answer."""
    lines = [delimiter.join(["respondent", *codes])]
    for respondent, answers in rows:
        cells = ["" if value is None else str(value) for value in answers]
        lines.append(delimiter.join([respondent, *cells]))
    return "\r\n".join(lines) + "\r\n"


class Stored:
    """What the service's schema holds, read as the database owner (for "nothing changed")."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self.url)
        try:
            rows: list[asyncpg.Record] = await connection.fetch(query, *args)
            return rows
        finally:
            await connection.close()

    async def responses(self) -> list[tuple[int, str, list[int | None]]]:
        """Every stored response (wave, respondent, answers) in wave and position order."""
        rows = await self.fetch(
            "SELECT wave_id, respondent, answers FROM mvp_evaluation.response "
            "ORDER BY wave_id, position"
        )
        return [(row[0], row[1], list(row[2])) for row in rows]

    async def counts(self) -> tuple[int, int, int]:
        """Stored responses, import records and idempotency keys."""
        rows = await self.fetch(
            "SELECT (SELECT count(*) FROM mvp_evaluation.response),"
            " (SELECT count(*) FROM mvp_evaluation.response_import),"
            " (SELECT count(*) FROM mvp_evaluation.idempotency_key)"
        )
        return rows[0][0], rows[0][1], rows[0][2]


@pytest.fixture
def stored(test_run: DatabaseRun, database: str) -> Stored:
    url = test_run.owner_url(database).set(drivername="postgresql")
    return Stored(url.render_as_string(hide_password=False))


@pytest.fixture
def survey(client: httpx.AsyncClient, tokens: Tokens) -> Survey:
    return Survey(client, tokens)


GatewayWith = Callable[..., Any]


@pytest.fixture
def gateway_with(test_run: DatabaseRun, database: str) -> GatewayWith:
    """A gateway whose mvp-evaluation service has these settings (limits, cell size)."""

    @asynccontextmanager
    async def run(**mvp_settings: Any) -> AsyncIterator[httpx.AsyncClient]:
        apps: dict[str, FastAPI] = {
            name: service_app(
                test_run, database, name, **(mvp_settings if name == "mvp-evaluation" else {})
            )
            for name in SERVICE_FACTORIES
        }
        transports: dict[str, httpx.AsyncBaseTransport] = {
            name: httpx.ASGITransport(app=app) for name, app in apps.items()
        }
        gateway = create_gateway(gateway_settings(test_run, database), transports=transports)
        async with (
            started(apps["funding"]),
            started(apps["goals"]),
            started(apps["mvp-evaluation"]),
            started(gateway),
            asgi_client(gateway) as http,
        ):
            yield http

    return run


@pytest.fixture
def service_with(test_run: DatabaseRun, database: str) -> GatewayWith:
    """The mvp-evaluation app alone, with these settings, and a client talking to it directly:
    for what the service itself reads of a body (an in-process gateway drains the rest)."""

    @asynccontextmanager
    async def run(**mvp_settings: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = service_app(test_run, database, "mvp-evaluation", **mvp_settings)
        async with started(app), asgi_client(app) as http:
            yield http

    return run
