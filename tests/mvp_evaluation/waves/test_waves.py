"""Waves: a school, an instrument version, kind pre / post / follow_up, cohort, date."""

from __future__ import annotations

import httpx

from tests.mvp_evaluation.support import BASE, Survey, csv_text, items, wave_body
from tests.support import Schema, Tokens


class TestRegister:
    async def test_a_wave_is_201_with_an_id_and_reads_back(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        school = await survey.school()
        await survey.instrument()

        created = await client.post(
            f"{BASE}/waves", json=wave_body(school), headers=tokens.evaluator
        )

        assert created.status_code == 201
        body = created.json()
        assert isinstance(body["id"], int)
        assert body["kind"] == "pre"
        assert body["administered_on"] == "2019-09-16"
        assert body["respondents"] == 0
        read = await client.get(f"{BASE}/waves/{body['id']}", headers=tokens.evaluator)
        assert read.json() == body

    async def test_an_unknown_school_or_instrument_version_is_422(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        await survey.instrument()
        before = await schema.counts()

        response = await client.post(
            f"{BASE}/waves",
            json=wave_body("99999999", instrument_version=2),
            headers=tokens.evaluator,
        )

        assert response.status_code == 422
        assert response.json()["type"] == "validation-error"
        locations = [error["location"] for error in response.json()["errors"]]
        assert locations == ["body.school_unit_code", "body.instrument_version"]
        assert await schema.counts() == before

    async def test_a_second_wave_of_a_kind_for_a_school_and_cohort_is_409(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        school = await survey.school()
        await survey.instrument()
        await survey.wave(school, "pre")
        before = await schema.counts()

        again = await client.post(f"{BASE}/waves", json=wave_body(school), headers=tokens.evaluator)
        after_refusal = await schema.counts()
        other_cohort = await client.post(
            f"{BASE}/waves", json=wave_body(school, cohort="2020"), headers=tokens.evaluator
        )

        assert again.status_code == 409
        assert again.json()["type"] == "wave-exists"
        assert after_refusal == before
        assert other_cohort.status_code == 201

    async def test_an_unknown_kind_is_422(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        school = await survey.school()
        await survey.instrument()
        before = await schema.counts()

        response = await client.post(
            f"{BASE}/waves", json=wave_body(school, kind="mid"), headers=tokens.evaluator
        )

        assert response.status_code == 422
        assert response.json()["type"] == "validation-error"
        assert [error["location"] for error in response.json()["errors"]] == ["body.kind"]
        assert await schema.counts() == before


class TestRead:
    async def test_waves_are_filtered_by_school_cohort_and_kind(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        first, second = await survey.school(), await survey.school()
        await survey.instrument()
        pre = await survey.wave(first, "pre")
        post = await survey.wave(first, "post")
        await survey.wave(second, "pre", cohort="2020")

        by_school = await client.get(
            f"{BASE}/waves", params={"school_unit_code": first}, headers=tokens.reader
        )
        by_cohort_and_kind = await client.get(
            f"{BASE}/waves", params={"cohort": "2019", "kind": "post"}, headers=tokens.reader
        )

        assert [w["id"] for w in by_school.json()["items"]] == [pre, post]
        assert [w["id"] for w in by_cohort_and_kind.json()["items"]] == [post]

    async def test_a_readers_respondent_count_is_suppressed_below_the_cell_limit(
        self, survey: Survey, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        school = await survey.school()
        await survey.instrument(item_list=items(1))
        small, large = await survey.wave(school, "pre"), await survey.wave(school, "post")
        await survey.post(small, csv_text([(f"S{i}", [3]) for i in range(9)], ["q1"]))
        await survey.post(large, csv_text([(f"S{i}", [3]) for i in range(10)], ["q1"]))

        reader_small = (await client.get(f"{BASE}/waves/{small}", headers=tokens.reader)).json()
        reader_large = (await client.get(f"{BASE}/waves/{large}", headers=tokens.reader)).json()
        evaluator_small = (
            await client.get(f"{BASE}/waves/{small}", headers=tokens.evaluator)
        ).json()

        assert (reader_small["respondents"], reader_small["suppressed"]) == (None, True)
        assert (reader_large["respondents"], reader_large["suppressed"]) == (10, False)
        assert (evaluator_small["respondents"], evaluator_small["suppressed"]) == (9, False)

    async def test_an_unknown_wave_is_404(
        self, client: httpx.AsyncClient, tokens: Tokens, schema: Schema
    ) -> None:
        before = await schema.counts()

        response = await client.get(f"{BASE}/waves/999", headers=tokens.reader)

        assert response.status_code == 404
        assert response.json()["type"] == "not-found"
        assert await schema.counts() == before
