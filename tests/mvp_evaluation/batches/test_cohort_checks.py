"""Checks that catch the wrong file: a batch against the rest of its cohort."""

from __future__ import annotations

from tests.mvp_evaluation.batches.test_batches import body
from tests.mvp_evaluation.support import Survey
from tests.support import Schema, expect, refused, unchanged


async def two_schools(survey: Survey) -> tuple[str, str]:
    await survey.instrument()
    return await survey.school(), await survey.school()


class TestCohortChecks:
    async def test_another_schools_pupils_are_refused_then_taken_when_intended(
        self, survey: Survey, schema: Schema
    ) -> None:
        a, b = await two_schools(survey)
        a_pre, b_pre = await survey.wave(a, "pre"), await survey.wave(b, "pre")
        expect(await survey.post(a_pre, body(1, 29)), 201)

        async with unchanged(schema):
            dry = await survey.post(b_pre, body(1, 29), dry_run=True)
            real = await survey.post(b_pre, body(1, 29))

        for response in (dry, real):
            problem = refused(response, 409, "respondents-of-another-school")
            assert (problem["in_other_schools"], problem["respondents"]) == (29, 29)
            assert a in problem["detail"]
            assert "allow_unmatched=true" in problem["detail"]
        forced = await survey.client.post(
            f"/mvp-evaluation/v1/waves/{b_pre}/responses",
            content=body(1, 29),
            params={"allow_unmatched": "true"},
            headers={**survey.headers, "Idempotency-Key": "forced-1", "Content-Type": "text/csv"},
        )
        assert expect(forced, 201) == {
            "wave_id": b_pre,
            "imported": 29,
            "in_other_schools": 29,
            "matched_pre": None,
        }

    async def test_a_few_shared_codes_pass_and_are_counted(self, survey: Survey) -> None:
        a, b = await two_schools(survey)
        a_pre, b_pre = await survey.wave(a, "pre"), await survey.wave(b, "pre")
        expect(await survey.post(a_pre, body(1, 10)), 201)

        stored = expect(await survey.post(b_pre, body(8, 10)), 201)

        assert (stored["imported"], stored["in_other_schools"]) == (10, 3)

    async def test_a_post_wave_matching_nobody_of_the_pre_wave_is_refused(
        self, survey: Survey, schema: Schema
    ) -> None:
        a, _ = await two_schools(survey)
        pre, post = await survey.wave(a, "pre"), await survey.wave(a, "post")
        expect(await survey.post(pre, body(1, 20)), 201)

        async with unchanged(schema):
            response = await survey.post(post, body(100, 20))

        problem = refused(response, 409, "unmatched-pre-wave")
        assert (problem["matched_pre"], problem["respondents"]) == (0, 20)
        matched = expect(await survey.post(post, body(5, 20), dry_run=True), 200)
        assert (matched["valid"], matched["matched_pre"], matched["in_other_schools"]) == (
            20,
            16,
            0,
        )

    async def test_a_follow_up_before_any_pre_wave_is_not_checked_against_it(
        self, survey: Survey
    ) -> None:
        a, _ = await two_schools(survey)
        follow_up = await survey.wave(a, "follow_up")

        stored = expect(await survey.post(follow_up, body(1, 5)), 201)

        assert stored["matched_pre"] is None
