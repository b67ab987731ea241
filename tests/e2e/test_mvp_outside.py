"""The MVP evaluation checked from outside, through a real gateway: questionnaire data with a
known effect goes in as semicolon CSV and as JSON; effect sizes, intervals and alpha are
compared with the independent computation of the service's own tests (SciPy, pingouin); a
reader's view of a small school is suppressed; a bad batch stores nothing."""

from __future__ import annotations

import asyncio
import hashlib
import math
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from tests.e2e.outside import admin_bearer, bearer, create, expect_problem, keyed, kvf
from tests.mvp_evaluation.analyses import reference
from tests.mvp_evaluation.analyses.reference import CODES, Answers
from tests.processes import KvfUp
from tests.support import expect

API = "/mvp-evaluation/v1"
SCALE = "attityd"
TOLERANCE = 1e-9


def semicolon_csv(answers: dict[str, Answers]) -> bytes:
    """As Swedish Excel writes it: a BOM, semicolons, blank for missing."""
    lines = [";".join(("respondent", *CODES))]
    for respondent, row in answers.items():
        cells = ("" if value is None else str(value) for value in row)
        lines.append(";".join((respondent, *cells)))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def as_json(answers: dict[str, Answers]) -> dict[str, Any]:
    return {
        "responses": [
            {
                "respondent": respondent,
                "answers": {
                    code: value for code, value in zip(CODES, row, strict=True) if value is not None
                },
            }
            for respondent, row in answers.items()
        ]
    }


def close(actual: Any, expected: float) -> bool:
    return actual is not None and math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=1e-12)


WAVES = (("pre", "2019-09-02"), ("post", "2020-05-29"))
BAD_BATCH = (
    f"respondent;{';'.join(CODES)}\r\n"
    "a-1;3;4;2;5;3;3;2;1\r\n"
    "a-2;9;4;2;5;3;3;2;1\r\n"  # 9 is beyond the scale
    "19900101-1234;3;4;2;5;3;3;2;1\r\n"  # a personal identity number as respondent
    "a-4;3;4;2;1;3;3;2;1\r\n"
).encode()


def digits() -> str:
    """Five random digits, to make this run's codes unique."""
    return f"{uuid.uuid4().int % 10**5:05d}"


async def add_school(
    outside: httpx.AsyncClient,
    headers: dict[str, str],
    code: str,
    *,
    arm: str,
    name: str = "",
    municipality_code: str = "1280",
) -> None:
    """A new school of the evaluation (named "E2E-skolan <code>" unless `name` is given)."""
    body = {"school_unit_code": code, "name": name or f"E2E-skolan {code}", "arm": arm}
    body |= {"organisation_number": "212000-0142", "municipality_code": municipality_code}
    await create(outside, headers, f"{API}/schools", body)


async def open_wave(
    outside: httpx.AsyncClient,
    headers: dict[str, str],
    *,
    school: str,
    instrument: str,
    kind: str,
    cohort: str,
    administered_on: str,
) -> int:
    """A new wave of version 1 of `instrument` at `school`; its id."""
    body = {"school_unit_code": school, "instrument_code": instrument, "instrument_version": 1}
    body |= {"kind": kind, "cohort": cohort, "administered_on": administered_on}
    wave: int = (await create(outside, headers, f"{API}/waves", body))["id"]
    return wave


async def upload_csv(
    outside: httpx.AsyncClient, headers: dict[str, str], wave: int, content: bytes
) -> httpx.Response:
    return await outside.post(
        f"{API}/waves/{wave}/responses",
        content=content,
        headers=keyed({**headers, "Content-Type": "text/csv"}),
    )


@dataclass(frozen=True)
class Survey:
    """Three schools of one cohort surveyed before and after: a large and a small one that
    had the intervention, and a comparison school; each pre wave sent as semicolon CSV and
    each post wave as JSON."""

    evaluator: dict[str, str]
    reader: dict[str, str]
    organiser: dict[str, str]  # the schools' own organiser
    other_organiser: dict[str, str]
    cohort: str
    instrument: str
    schools: list[reference.School]
    waves: dict[tuple[str, str], int] = field(default_factory=dict)  # (school, kind) → id
    imported: dict[tuple[str, str], int] = field(default_factory=dict)  # (school, kind) → rows

    @property
    def large(self) -> reference.School:
        return self.schools[0]

    @property
    def small(self) -> reference.School:
        return self.schools[1]

    @property
    def comparison(self) -> reference.School:
        return self.schools[2]

    async def open_wave(
        self, outside: httpx.AsyncClient, school: str, kind: str, administered_on: str
    ) -> int:
        """A new wave of the survey's cohort and instrument at `school`, by the evaluator."""
        return await open_wave(
            outside,
            self.evaluator,
            school=school,
            instrument=self.instrument,
            kind=kind,
            cohort=self.cohort,
            administered_on=administered_on,
        )


async def _survey_school(
    outside: httpx.AsyncClient, survey: Survey, school: reference.School
) -> None:
    """Register `school`, open its waves, send its answers; note the waves and imports."""
    evaluator = survey.evaluator
    await add_school(outside, evaluator, school.code, arm=school.arm)
    for kind, administered_on in WAVES:
        wave = await survey.open_wave(outside, school.code, kind, administered_on)
        survey.waves[school.code, kind] = wave
    pre = survey.waves[school.code, "pre"]
    sent_csv = await upload_csv(outside, evaluator, pre, semicolon_csv(school.pre))
    survey.imported[school.code, "pre"] = expect(sent_csv, 201)["imported"]
    sent_json = await outside.post(
        f"{API}/waves/{survey.waves[school.code, 'post']}/responses",
        json=as_json(school.post),
        headers=keyed(evaluator),
    )
    survey.imported[school.code, "post"] = expect(sent_json, 201)["imported"]


@pytest.fixture(scope="module")
async def survey(platform: KvfUp, outside: httpx.AsyncClient) -> Survey:
    """The survey, generated with a known effect and sent through the gateway."""
    rng = np.random.default_rng(20190610)
    suffix = digits()
    survey = Survey(
        evaluator=await bearer(platform, outside, "evaluator"),
        reader=await bearer(platform, outside, "reader"),
        organiser=await bearer(platform, outside, "organiser", "--organisation", "212000-0142"),
        other_organiser=await bearer(
            platform, outside, "organiser", "--organisation", "232100-0016"
        ),
        cohort=f"e2e-{suffix}",
        instrument=f"mvp-e2e-{suffix}",
        schools=[
            reference.generate(rng, f"910{suffix}", "intervention", 40, 0.6),
            reference.generate(rng, f"920{suffix}", "intervention", 6, 0.6),  # suppressed
            reference.generate(rng, f"930{suffix}", "comparison", 35, 0.1),
        ],
    )
    instrument = {"code": survey.instrument, "version": 1, "items": reference.ITEMS}
    await create(outside, survey.evaluator, f"{API}/instruments", instrument)
    for school in survey.schools:
        await _survey_school(outside, survey, school)
    return survey


async def effects(
    outside: httpx.AsyncClient, survey: Survey, headers: dict[str, str]
) -> dict[str, Any]:
    """The effects of the survey's cohort on the scale, as the holder of `headers` sees them."""
    params = {"scale": SCALE, "cohort": survey.cohort}
    return expect(await outside.get(f"{API}/effects", params=params, headers=headers), 200)


class TestMvpEvaluationFromOutside:
    async def test_every_answer_sent_as_csv_or_json_is_imported(self, survey: Survey) -> None:
        for school in survey.schools:
            assert survey.imported[school.code, "pre"] == len(school.pre), school.code
            assert survey.imported[school.code, "post"] == len(school.post), school.code

    async def test_each_schools_paired_effect_equals_an_independent_computation(
        self, survey: Survey, outside: httpx.AsyncClient
    ) -> None:
        body = await effects(outside, survey, survey.evaluator)
        by_school = {shown["school_unit_code"]: shown for shown in body["schools"]}
        for school in survey.schools:
            expected = reference.paired(*reference.pairs([school]))
            for name, value in expected.items():
                assert close(by_school[school.code]["paired"][name], value), (school.code, name)

    async def test_the_controlled_effect_equals_an_independent_computation_and_is_there(
        self, survey: Survey, outside: httpx.AsyncClient
    ) -> None:
        controlled = (await effects(outside, survey, survey.evaluator))["controlled"]
        treated = [survey.large, survey.small]
        assert controlled["n_intervention"] == len(reference.pairs(treated)[0])
        assert controlled["n_comparison"] == len(reference.pairs([survey.comparison])[0])
        d_ppc2 = reference.d_ppc2(treated, [survey.comparison])
        assert close(controlled["d_ppc2"], d_ppc2)
        assert d_ppc2 > 0.3  # the generated effect is there

    async def test_the_pooled_effect_and_the_icc_equal_an_independent_computation(
        self, survey: Survey, outside: httpx.AsyncClient
    ) -> None:
        body = await effects(outside, survey, survey.evaluator)
        pre, post = reference.pairs([survey.large, survey.small])
        pooled_diff = post - pre
        assert body["pooled"]["paired"]["n"] == len(pre)
        assert close(body["pooled"]["paired"]["mean_diff"], pooled_diff.mean())
        assert close(body["pooled"]["paired"]["sd_diff"], pooled_diff.std(ddof=1))
        assert close(body["icc"], reference.icc1(survey.schools))

    async def test_alpha_of_a_pre_wave_equals_an_independent_computation_on_complete_cases(
        self, survey: Survey, outside: httpx.AsyncClient
    ) -> None:
        n_complete, alpha = reference.alpha(list(survey.large.pre.values()))
        reliability = await outside.get(
            f"{API}/reliability",
            params={"scale": SCALE, "wave": survey.waves[survey.large.code, "pre"]},
            headers=survey.evaluator,
        )
        body = expect(reliability, 200)
        assert body["n"] == n_complete
        assert close(body["alpha"], alpha)

    async def test_a_reader_sees_pooled_figures_only(
        self, survey: Survey, outside: httpx.AsyncClient
    ) -> None:
        seen = await effects(outside, survey, survey.reader)
        assert {school["withheld"] for school in seen["schools"]} == {"pooled_only"}
        assert all(school["paired"]["d_z"] is None for school in seen["schools"])
        pre, post = reference.pairs([survey.large, survey.small])  # two schools together
        assert seen["pooled"]["paired"]["n"] == len(pre)
        assert close(seen["pooled"]["paired"]["d_z"], reference.paired(pre, post)["d_z"])

    async def test_another_organiser_sees_none_of_these_schools(
        self, survey: Survey, outside: httpx.AsyncClient
    ) -> None:
        seen = await effects(outside, survey, survey.other_organiser)
        assert {school["withheld"] for school in seen["schools"]} == {"other_organiser"}
        reliability = await outside.get(
            f"{API}/reliability",
            params={"scale": SCALE, "wave": survey.waves[survey.large.code, "pre"]},
            headers=survey.other_organiser,
        )
        expect_problem(reliability, 403, "forbidden")

    async def test_the_organiser_sees_its_small_school_suppressed_and_the_large_in_full(
        self, survey: Survey, outside: httpx.AsyncClient
    ) -> None:
        seen = await effects(outside, survey, survey.organiser)
        shown = {school["school_unit_code"]: school["paired"] for school in seen["schools"]}
        hidden = shown[survey.small.code]
        assert hidden["suppressed"] is True
        assert hidden["d_z"] is None
        assert hidden["mean_diff"] is None
        assert shown[survey.large.code]["suppressed"] is False
        expected_d_z = reference.paired(*reference.pairs([survey.large]))["d_z"]
        assert close(shown[survey.large.code]["d_z"], expected_d_z)

    async def test_a_bad_batch_stores_nothing_and_names_every_bad_row(
        self, survey: Survey, outside: httpx.AsyncClient
    ) -> None:
        wave = await survey.open_wave(outside, survey.large.code, "follow_up", "2020-11-30")
        refused = await upload_csv(outside, survey.evaluator, wave, BAD_BATCH)
        rows = {error["row"] for error in expect_problem(refused, 422)["errors"]}
        assert rows == {3, 4}  # spreadsheet rows: the header is row 1
        exported = await outside.get(
            f"{API}/exports/responses", params={"wave": wave}, headers=survey.evaluator
        )
        assert exported.status_code == 200, exported.text
        assert len(exported.text.strip().splitlines()) <= 1  # a header at most: nothing stored


async def _one_question_wave(outside: httpx.AsyncClient, admin: dict[str, str]) -> int:
    """A pre wave, at a new school, of a new instrument with one question; its id."""
    suffix = digits()
    instrument = f"kvf-upload-{suffix}"
    item = {"code": "q1", "text": "Påstående", "min": 1, "max": 5, "reverse": False, "scale": "s"}
    await create(
        outside, admin, f"{API}/instruments", {"code": instrument, "version": 1, "items": [item]}
    )
    school = f"940{suffix}"
    await add_school(
        outside,
        admin,
        school,
        arm="intervention",
        name="Uppladdningsskolan",
        municipality_code="0180",
    )
    return await open_wave(
        outside,
        admin,
        school=school,
        instrument=instrument,
        kind="pre",
        cohort="2019",
        administered_on="2019-09-02",
    )


async def test_kvf_upload_checks_then_stores_a_file(
    platform: KvfUp, outside: httpx.AsyncClient, tmp_path: Path
) -> None:
    admin = await admin_bearer(platform, outside)
    wave = await _one_question_wave(outside, admin)
    path = tmp_path / "pre.csv"
    rows = "".join(f"u-{n};{1 + n % 5}\r\n" for n in range(12))
    path.write_bytes(f"\ufeffrespondent;q1\r\n{rows}".encode())

    upload_args = ("upload", str(wave), str(path))
    checked = await asyncio.to_thread(kvf, platform, *upload_args, "--dry-run")
    assert checked == {"wave_id": wave, "valid": 12, "in_other_schools": 0, "matched_pre": None}
    stored = await asyncio.to_thread(kvf, platform, *upload_args)
    assert stored == {"wave_id": wave, "imported": 12, "in_other_schools": 0, "matched_pre": None}
    exported = await outside.get(f"{API}/exports/responses", params={"wave": wave}, headers=admin)
    assert len(exported.text.strip().splitlines()) == 13
    listed = await outside.get(f"{API}/waves/{wave}/batches", headers=admin)
    [batch] = listed.json()["items"]
    assert (batch["file_name"], batch["rows"]) == ("pre.csv", 12)
    assert batch["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
