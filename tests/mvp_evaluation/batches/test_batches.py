"""Batches that can be undone, and the lock that ends cleaning."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from tests.mvp_evaluation.support import BASE, Survey, csv_text, key, stored_responses
from tests.support import Schema, expect, refused, unchanged


def body(first: int, count: int) -> str:
    """`count` respondents P<first>..., four answers each."""
    rows = [(f"P{n:04d}", [1, 2, 3, 4]) for n in range(first, first + count)]
    return csv_text(rows, ["q1", "q2", "q3", "q4"])


async def uploaded(survey: Survey, wave: int, content: str, **params: str) -> dict[str, Any]:
    response = await survey.client.post(
        f"{BASE}/waves/{wave}/responses",
        content=content,
        params=params,
        headers={**survey.headers, **key(), "Content-Type": "text/csv"},
    )
    return expect(response, 201)


async def batches(
    survey: Survey, wave: int, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await survey.get(f"/waves/{wave}/batches", headers or survey.headers)


async def delete(
    survey: Survey,
    wave: int,
    batch: int,
    headers: dict[str, str] | None = None,
    reason: str = "Fel skola",
) -> httpx.Response:
    return await survey.client.delete(
        f"{BASE}/waves/{wave}/batches/{batch}",
        params={"reason": reason},
        headers=headers or survey.headers,
    )


async def one_wave(survey: Survey) -> int:
    await survey.instrument()
    return await survey.wave(await survey.school())


class TestBatches:
    async def test_each_upload_is_a_batch_with_its_file_and_digest(self, survey: Survey) -> None:
        wave = await one_wave(survey)
        first, second = body(1, 3), body(4, 2)
        await uploaded(survey, wave, first, file_name="skola_a_pre.csv")
        await uploaded(survey, wave, second)

        listed = expect(await batches(survey, wave), 200)

        assert listed["total"] == 2
        a, b = listed["items"]
        assert (a["file_name"], a["rows"], a["first_position"]) == ("skola_a_pre.csv", 3, 1)
        assert a["sha256"] == hashlib.sha256(first.encode()).hexdigest()
        assert (b["file_name"], b["rows"], b["first_position"]) == (None, 2, 4)
        assert a["format"] == "csv"
        assert a["client_id"]
        assert a["created_at"]
        assert a["deleted_at"] is None

    async def test_deleting_a_batch_removes_exactly_its_respondents(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await one_wave(survey)
        await uploaded(survey, wave, body(1, 3))
        await uploaded(survey, wave, body(4, 2))
        [first, second] = expect(await batches(survey, wave), 200)["items"]

        response = await delete(survey, wave, second["id"])

        deleted = expect(response, 200)
        assert deleted["deleted_at"] is not None
        assert deleted["delete_reason"] == "Fel skola"
        assert [r[1] for r in await stored_responses(schema)] == ["P0001", "P0002", "P0003"]
        assert await survey.respondents(wave) == 3
        assert await schema.count("scale_score") == 1  # the first batch's scores only
        listed = expect(await batches(survey, wave), 200)["items"]
        assert [b["deleted_at"] is None for b in listed] == [True, False]
        events = expect(await survey.get(f"/waves/{wave}/events", survey.headers), 200)
        [event] = events["items"]
        assert (event["action"], event["batch_id"], event["reason"]) == (
            "batch_deleted",
            second["id"],
            "Fel skola",
        )
        # The same respondents can come again, at new positions.
        again = await uploaded(survey, wave, body(4, 2))
        assert again["imported"] == 2
        assert await survey.respondents(wave) == 5
        assert first["first_position"] == 1

    async def test_a_deleted_batch_cannot_be_deleted_again(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await one_wave(survey)
        await uploaded(survey, wave, body(1, 3))
        [batch] = expect(await batches(survey, wave), 200)["items"]
        expect(await delete(survey, wave, batch["id"]), 200)

        async with unchanged(schema):
            response = await delete(survey, wave, batch["id"])

        refused(response, 409, "batch-deleted")

    async def test_another_waves_batch_is_404_and_changes_nothing(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await one_wave(survey)
        other = await survey.wave(await survey.school())
        await uploaded(survey, wave, body(1, 3))
        [batch] = expect(await batches(survey, wave), 200)["items"]

        async with unchanged(schema):
            response = await delete(survey, other, batch["id"])

        refused(response, 404, "not-found")

    async def test_only_evaluators_and_admins_see_or_delete_batches(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await one_wave(survey)
        await uploaded(survey, wave, body(1, 3))
        [batch] = expect(await batches(survey, wave), 200)["items"]
        tokens = survey.tokens

        for headers in (tokens.reader, tokens.rss("12"), tokens.organiser("212000-1124")):
            refused(await batches(survey, wave, headers), 403, "forbidden")
            async with unchanged(schema):
                refused(await delete(survey, wave, batch["id"], headers), 403, "forbidden")
        expect(await delete(survey, wave, batch["id"], tokens.admin), 200)

    async def test_a_reason_is_required(self, survey: Survey, schema: Schema) -> None:
        wave = await one_wave(survey)
        await uploaded(survey, wave, body(1, 3))
        [batch] = expect(await batches(survey, wave), 200)["items"]

        async with unchanged(schema):
            response = await survey.client.delete(
                f"{BASE}/waves/{wave}/batches/{batch['id']}", headers=survey.headers
            )
            blank = await delete(survey, wave, batch["id"], reason="  ")

        refused(response, 422, "validation-error")
        refused(blank, 422, "validation-error")


class TestWaveLock:
    async def test_a_locked_wave_refuses_uploads_dry_runs_and_deletions(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await one_wave(survey)
        await uploaded(survey, wave, body(1, 3))
        [batch] = expect(await batches(survey, wave), 200)["items"]

        locked = await survey.client.post(
            f"{BASE}/waves/{wave}/lock", json={"reason": "Tvättad"}, headers=survey.headers
        )

        read = expect(locked, 200)
        assert read["locked_at"] is not None
        assert read["locked_by"]
        async with unchanged(schema):
            refused(await survey.post(wave, body(10, 2)), 409, "wave-locked")
            refused(await survey.post(wave, body(10, 2), dry_run=True), 409, "wave-locked")
            refused(await delete(survey, wave, batch["id"]), 409, "wave-locked")

    async def test_only_an_admin_unlocks_and_both_are_in_the_audit_trail(
        self, survey: Survey, schema: Schema
    ) -> None:
        wave = await one_wave(survey)
        lock = await survey.client.post(
            f"{BASE}/waves/{wave}/lock", json={}, headers=survey.headers
        )
        expect(lock, 200)

        async with unchanged(schema):
            by_evaluator = await survey.client.post(
                f"{BASE}/waves/{wave}/unlock", json={"reason": "x"}, headers=survey.headers
            )
            no_reason = await survey.client.post(
                f"{BASE}/waves/{wave}/unlock", json={}, headers=survey.tokens.admin
            )
        refused(by_evaluator, 403, "forbidden")
        refused(no_reason, 422, "validation-error")

        unlocked = await survey.client.post(
            f"{BASE}/waves/{wave}/unlock",
            json={"reason": "Ny fil från skolan"},
            headers=survey.tokens.admin,
        )

        assert expect(unlocked, 200)["locked_at"] is None
        assert (await uploaded(survey, wave, body(1, 2)))["imported"] == 2
        events = expect(await survey.get(f"/waves/{wave}/events", survey.headers), 200)["items"]
        assert [(e["action"], e["role"], e["reason"]) for e in events] == [
            ("locked", "evaluator", None),
            ("unlocked", "admin", "Ny fil från skolan"),
        ]
