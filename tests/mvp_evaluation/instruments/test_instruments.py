"""Instruments: versions of items (code, Swedish text, min, max, reverse, scale); a version
with data is immutable, a change is a new version; scales are derived from the items."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.mvp_evaluation.support import BASE, Survey, csv_text, items
from tests.support import Schema, Tokens, refused

ITEMS: list[dict[str, Any]] = [
    {"code": "att1", "text": "Det är okej att skämta om tjejer.", "min": 1, "max": 5,
     "reverse": True, "scale": "attityd"},
    {"code": "ing1", "text": "Jag säger ifrån.", "min": 0, "max": 4, "scale": "ingripande"},
    {"code": "att2", "text": "Killar och tjejer är lika värda.", "min": 1, "max": 5,
     "scale": "attityd"},
]  # fmt: skip


async def post(client: httpx.AsyncClient, tokens: Tokens, body: dict[str, Any]) -> httpx.Response:
    return await client.post(f"{BASE}/instruments", json=body, headers=tokens.evaluator)


class TestVersions:
    async def test_a_new_version_is_201_with_its_items_in_order_and_scales_derived(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        response = await post(client, tokens, {"code": "mvp-elev", "version": 1, "items": ITEMS})

        assert response.status_code == 201
        body = response.json()
        assert [item["code"] for item in body["items"]] == ["att1", "ing1", "att2"]
        assert body["items"][1]["reverse"] is False
        assert body["scales"] == [
            {"code": "attityd", "items": ["att1", "att2"]},
            {"code": "ingripande", "items": ["ing1"]},
        ]
        assert body["locked"] is False
        read = await client.get(f"{BASE}/instruments/mvp-elev/versions/1", headers=tokens.reader)
        assert read.json() == body

    async def test_the_same_version_again_is_200_and_changes_nothing(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        first = await post(client, tokens, {"code": "mvp-elev", "version": 1, "items": ITEMS})

        again = await post(client, tokens, {"code": "mvp-elev", "version": 1, "items": ITEMS})

        assert again.status_code == 200
        assert again.json() == first.json()

    async def test_a_version_without_data_takes_changed_items(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        await post(client, tokens, {"code": "mvp-elev", "version": 1, "items": ITEMS})
        changed = [{**ITEMS[0], "text": "Ny formulering."}, ITEMS[2]]

        response = await post(client, tokens, {"code": "mvp-elev", "version": 1, "items": changed})

        assert response.status_code == 200
        read = await client.get(f"{BASE}/instruments/mvp-elev/versions/1", headers=tokens.reader)
        assert [item["text"] for item in read.json()["items"]] == [
            "Ny formulering.",
            "Killar och tjejer är lika värda.",
        ]

    async def test_a_version_with_data_is_locked_and_a_change_is_a_new_version(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        await survey.instrument(item_list=items(2))
        wave = await survey.wave(await survey.school())
        assert (
            await survey.post(wave, csv_text([("A1", [1, 2])], ["q1", "q2"]))
        ).status_code == 201
        changed = [{**items(2)[0], "max": 7}, items(2)[1]]
        before = await schema.counts()

        locked = await post(client, tokens, {"code": "mvp-elev", "version": 1, "items": changed})
        after_refusal = await schema.counts()
        new_version = await post(
            client, tokens, {"code": "mvp-elev", "version": 2, "items": changed}
        )

        assert locked.status_code == 409
        assert locked.json()["type"] == "instrument-version-locked"
        assert after_refusal == before
        read = await client.get(f"{BASE}/instruments/mvp-elev/versions/1", headers=tokens.reader)
        assert read.json()["items"][0]["max"] == 5
        assert read.json()["locked"] is True
        assert new_version.status_code == 201
        assert new_version.json()["items"][0]["max"] == 7

    async def test_versions_are_listed_by_code_and_version(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        for code, version in (("mvp-elev", 2), ("b-enkat", 1), ("mvp-elev", 1)):
            await post(client, tokens, {"code": code, "version": version, "items": ITEMS})

        listed = await client.get(f"{BASE}/instruments", headers=tokens.reader)
        only = await client.get(
            f"{BASE}/instruments", params={"code": "mvp-elev"}, headers=tokens.reader
        )

        pairs = [(i["code"], i["version"]) for i in listed.json()["items"]]
        assert pairs == [("b-enkat", 1), ("mvp-elev", 1), ("mvp-elev", 2)]
        assert only.json()["total"] == 2

    async def test_an_unknown_version_is_404(
        self, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        before = await schema.counts()

        response = await client.get(
            f"{BASE}/instruments/mvp-elev/versions/3", headers=tokens.reader
        )

        assert response.status_code == 404
        assert response.json()["type"] == "not-found"
        assert await schema.counts() == before


class TestInvalid:
    @pytest.mark.parametrize(
        "change",
        [
            {"items": [{**ITEMS[0], "min": 5, "max": 5}]},
            {"items": [ITEMS[0], {**ITEMS[1], "code": "att1"}]},
            {"items": [{**ITEMS[0], "code": "respondent"}]},
            {"items": [{**ITEMS[0], "code": "Att1"}]},
            {"items": [{**ITEMS[0], "min": 1.5}]},
            {"items": [{**ITEMS[0], "max": 1000}]},
            {"items": []},
            {"version": 0},
            {"version": "1"},
        ],
    )
    async def test_invalid_instruments_are_422_and_nothing_is_registered(
        self, client: httpx.AsyncClient, tokens: Tokens, schema: Schema, change: dict[str, Any]
    ) -> None:
        body = {"code": "mvp-elev", "version": 1, "items": ITEMS, **change}
        before = await schema.counts()

        response = await post(client, tokens, body)

        assert response.status_code == 422
        assert response.json()["type"] == "validation-error"
        assert await schema.counts() == before
        assert (await client.get(f"{BASE}/instruments", headers=tokens.reader)).json()["total"] == 0

    async def test_a_reader_cannot_register_an_instrument(
        self, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        before = await schema.counts()

        response = await client.post(
            f"{BASE}/instruments",
            json={"code": "mvp-elev", "version": 1, "items": ITEMS},
            headers=tokens.reader,
        )

        refused(response, 403, "forbidden")
        assert await schema.counts() == before
