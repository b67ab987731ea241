"""The MVP evaluation checked from outside, through a real gateway: questionnaire data with a
known effect goes in as semicolon CSV and as JSON; effect sizes, intervals and alpha are
compared with an independent computation; a reader's view of a small school is suppressed; a
bad batch stores nothing."""

from __future__ import annotations

import asyncio
import math
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from scipy import stats  # type: ignore[import-untyped]  # SciPy ships no type stubs

from tests.e2e.outside import admin_bearer, bearer, kvf
from tests.processes import KvfUp

API = "/mvp-evaluation/v1"
ITEMS = ("q1", "q2", "q3", "q4")
REVERSE = {"q4"}
LOW, HIGH = 1, 5
TOLERANCE = 1e-9

Answers = dict[str, dict[str, int | None]]  # respondent -> item -> answer


def generated(
    rng: np.random.Generator, prefix: str, n: int, effect: float
) -> tuple[Answers, Answers]:
    """Pre and post answers of n pupils; post is shifted by `effect` scale points (q4 reversed)."""
    pre: Answers = {}
    post: Answers = {}
    for index in range(n):
        level = rng.normal(3.0, 0.7)
        respondent = f"{prefix}-{index:03d}"
        pre[respondent] = {}
        post[respondent] = {}
        for item in ITEMS:
            sign = -1 if item in REVERSE else 1
            before = level + rng.normal(0, 0.6)
            after = before + effect + rng.normal(0, 0.5)
            pre[respondent][item] = int(np.clip(round(3 + sign * (before - 3)), LOW, HIGH))
            post[respondent][item] = int(np.clip(round(3 + sign * (after - 3)), LOW, HIGH))
        if index % 7 == 3:
            pre[respondent]["q2"] = None  # a missing item: the score uses the three answered
        if index % 11 == 5:
            post[respondent] = dict.fromkeys(ITEMS) | {"q1": 4}  # too few: no score
    return pre, post


def semicolon_csv(answers: Answers) -> bytes:
    """As Swedish Excel writes it: a BOM, semicolons, blank for missing."""
    lines = [";".join(("respondent", *ITEMS))]
    for respondent, row in answers.items():
        cells = ("" if row[item] is None else str(row[item]) for item in ITEMS)
        lines.append(";".join((respondent, *cells)))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def as_json(answers: Answers) -> dict[str, Any]:
    return {
        "responses": [
            {
                "respondent": respondent,
                "answers": {item: value for item, value in row.items() if value is not None},
            }
            for respondent, row in answers.items()
        ]
    }


def scores(answers: Answers) -> dict[str, float]:
    """Scale scores as DESIGN.md defines them, computed here independently of the service."""
    result: dict[str, float] = {}
    for respondent, row in answers.items():
        scored = [
            (LOW + HIGH - value) if item in REVERSE else value
            for item, value in row.items()
            if value is not None
        ]
        if len(scored) * 2 >= len(ITEMS):
            result[respondent] = float(np.mean(scored))
    return result


def paired(pre: Answers, post: Answers) -> tuple[np.ndarray, np.ndarray]:
    before, after = scores(pre), scores(post)
    both = [respondent for respondent in before if respondent in after]
    return np.array([before[r] for r in both]), np.array([after[r] for r in both])


def expected_paired(pre: Answers, post: Answers) -> dict[str, float]:
    before, after = paired(pre, post)
    diff = after - before
    n = len(diff)
    sd = diff.std(ddof=1)
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    d_z = diff.mean() / sd
    return {
        "n": n,
        "mean_pre": before.mean(),
        "mean_post": after.mean(),
        "mean_diff": diff.mean(),
        "sd_diff": sd,
        "ci95_low": diff.mean() - half,
        "ci95_high": diff.mean() + half,
        "p_value": stats.ttest_rel(after, before).pvalue,
        "d_z": d_z,
        "hedges_g": (1 - 3 / (4 * (n - 1) - 1)) * d_z,
    }


def close(actual: Any, expected: float) -> bool:
    return actual is not None and math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=1e-12)


async def post(
    gateway: httpx.AsyncClient, headers: dict[str, str], path: str, body: dict[str, Any]
) -> Any:
    response = await gateway.post(
        f"{API}{path}", json=body, headers={**headers, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def upload(
    gateway: httpx.AsyncClient,
    headers: dict[str, str],
    wave: int,
    content: bytes,
    content_type: str,
) -> httpx.Response:
    return await gateway.post(
        f"{API}/waves/{wave}/responses",
        content=content,
        headers={**headers, "Content-Type": content_type, "Idempotency-Key": str(uuid.uuid4())},
    )


async def test_mvp_evaluation_from_outside(platform: KvfUp) -> None:
    rng = np.random.default_rng(20190610)
    suffix = f"{uuid.uuid4().int % 10**5:05d}"
    cohort = f"e2e-{suffix}"
    arms = {  # school unit code -> (arm, pupils, effect)
        f"910{suffix}": ("intervention", 40, 0.6),
        f"920{suffix}": ("intervention", 6, 0.6),  # small: suppressed for a reader
        f"930{suffix}": ("comparison", 35, 0.1),
    }
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=60) as gateway:
        evaluator = await bearer(platform, gateway, "evaluator")
        reader = await bearer(platform, gateway, "reader")
        instrument = f"mvp-e2e-{suffix}"
        await post(
            gateway,
            evaluator,
            "/instruments",
            {
                "code": instrument,
                "version": 1,
                "items": [
                    {
                        "code": item,
                        "text": f"Påstående {item}",
                        "min": LOW,
                        "max": HIGH,
                        "reverse": item in REVERSE,
                        "scale": "attitudes",
                    }
                    for item in ITEMS
                ],
            },
        )
        data: dict[str, tuple[Answers, Answers]] = {}
        waves: dict[tuple[str, str], int] = {}
        for code, (arm, pupils, effect) in arms.items():
            await post(
                gateway,
                evaluator,
                "/schools",
                {
                    "school_unit_code": code,
                    "name": f"E2E-skolan {code}",
                    "organisation_number": "212000-0142",
                    "municipality_code": "1280",
                    "arm": arm,
                },
            )
            data[code] = generated(rng, f"p{code}", pupils, effect)
            for kind, administered_on in (("pre", "2019-09-02"), ("post", "2020-05-29")):
                wave = await post(
                    gateway,
                    evaluator,
                    "/waves",
                    {
                        "school_unit_code": code,
                        "instrument_code": instrument,
                        "instrument_version": 1,
                        "kind": kind,
                        "cohort": cohort,
                        "administered_on": administered_on,
                    },
                )
                waves[code, kind] = wave["id"]
            pre, post_answers = data[code]
            sent_csv = await upload(
                gateway, evaluator, waves[code, "pre"], semicolon_csv(pre), "text/csv"
            )
            assert sent_csv.status_code == 201, sent_csv.text
            assert sent_csv.json()["imported"] == pupils
            sent_json = await gateway.post(
                f"{API}/waves/{waves[code, 'post']}/responses",
                json=as_json(post_answers),
                headers={**evaluator, "Idempotency-Key": str(uuid.uuid4())},
            )
            assert sent_json.status_code == 201, sent_json.text
            assert sent_json.json()["imported"] == pupils

        # The effects, as an evaluator sees them, against an independent computation.
        effects = await gateway.get(
            f"{API}/effects", params={"scale": "attitudes", "cohort": cohort}, headers=evaluator
        )
        assert effects.status_code == 200, effects.text
        body = effects.json()
        by_school = {school["school_unit_code"]: school for school in body["schools"]}
        for code in arms:
            expected = expected_paired(*data[code])
            for field, value in expected.items():
                assert close(by_school[code]["paired"][field], value), (code, field)

        treated = [paired(*data[code]) for code, (arm, _, _) in arms.items() if arm != "comparison"]
        pre_t = np.concatenate([pair[0] for pair in treated])
        post_t = np.concatenate([pair[1] for pair in treated])
        pre_c, post_c = paired(*data[f"930{suffix}"])
        n_t, n_c = len(pre_t), len(pre_c)
        sd_pooled = math.sqrt(
            ((n_t - 1) * pre_t.var(ddof=1) + (n_c - 1) * pre_c.var(ddof=1)) / (n_t + n_c - 2)
        )
        d_ppc2 = (1 - 3 / (4 * (n_t + n_c - 2) - 1)) * (
            ((post_t.mean() - pre_t.mean()) - (post_c.mean() - pre_c.mean())) / sd_pooled
        )
        assert body["controlled"]["n_intervention"] == n_t
        assert body["controlled"]["n_comparison"] == n_c
        assert close(body["controlled"]["d_ppc2"], d_ppc2)
        assert d_ppc2 > 0.3  # the generated effect is there
        pooled_diff = post_t - pre_t
        assert body["pooled"]["paired"]["n"] == n_t
        assert close(body["pooled"]["paired"]["mean_diff"], pooled_diff.mean())
        assert close(body["pooled"]["paired"]["sd_diff"], pooled_diff.std(ddof=1))

        groups = [np.array(list(scores(data[code][0]).values())) for code in arms]
        sizes = np.array([len(group) for group in groups])
        total = sizes.sum()
        grand = np.concatenate(groups).mean()
        msb = sum(len(g) * (g.mean() - grand) ** 2 for g in groups) / (len(groups) - 1)
        msw = sum(((g - g.mean()) ** 2).sum() for g in groups) / (total - len(groups))
        k0 = (total - (sizes**2).sum() / total) / (len(groups) - 1)
        assert close(body["icc"], (msb - msw) / (msb + (k0 - 1) * msw))

        # Cronbach's alpha of the first school's pre wave, on complete cases (q4 reversed).
        code = f"910{suffix}"
        complete = np.array(
            [
                [float(LOW + HIGH - v if item in REVERSE else v) for item, v in answered.items()]
                for answered in (
                    {item: v for item, v in row.items() if v is not None}
                    for row in data[code][0].values()
                )
                if len(answered) == len(ITEMS)
            ]
        )
        k = complete.shape[1]
        alpha = (
            k
            / (k - 1)
            * (1 - complete.var(axis=0, ddof=1).sum() / complete.sum(axis=1).var(ddof=1))
        )
        reliability = await gateway.get(
            f"{API}/reliability",
            params={"scale": "attitudes", "wave": waves[code, "pre"]},
            headers=evaluator,
        )
        assert reliability.status_code == 200, reliability.text
        assert reliability.json()["n"] == len(complete)
        assert close(reliability.json()["alpha"], alpha)

        # A reader sees the small school suppressed, the large one in full.
        seen = await gateway.get(
            f"{API}/effects", params={"scale": "attitudes", "cohort": cohort}, headers=reader
        )
        assert seen.status_code == 200, seen.text
        schools = {school["school_unit_code"]: school for school in seen.json()["schools"]}
        small = schools[f"920{suffix}"]["paired"]
        assert small["suppressed"] is True
        assert small["d_z"] is None
        assert small["mean_diff"] is None
        assert schools[f"910{suffix}"]["paired"]["suppressed"] is False
        assert close(schools[f"910{suffix}"]["paired"]["d_z"], expected_paired(*data[code])["d_z"])

        # A bad batch stores nothing, and says what is wrong with every bad row.
        follow_up = await post(
            gateway,
            evaluator,
            "/waves",
            {
                "school_unit_code": code,
                "instrument_code": instrument,
                "instrument_version": 1,
                "kind": "follow_up",
                "cohort": cohort,
                "administered_on": "2020-11-30",
            },
        )
        bad = (
            b"respondent;q1;q2;q3;q4\r\n"
            b"a-1;3;4;2;5\r\n"
            b"a-2;9;4;2;5\r\n"
            b"19900101-1234;3;4;2;5\r\n"
            b"a-4;3;4;2;1\r\n"
        )
        refused = await upload(gateway, evaluator, follow_up["id"], bad, "text/csv")
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        rows = {error["row"] for error in refused.json()["errors"]}
        assert rows == {3, 4}  # spreadsheet rows: the header is row 1
        exported = await gateway.get(
            f"{API}/exports/responses", params={"wave": follow_up["id"]}, headers=evaluator
        )
        assert exported.status_code == 200, exported.text
        assert len(exported.text.strip().splitlines()) <= 1  # a header at most: nothing stored


async def test_kvf_upload_checks_then_stores_a_file(platform: KvfUp, tmp_path: Path) -> None:
    suffix = f"{uuid.uuid4().int % 10**5:05d}"
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=60) as gateway:
        admin = await admin_bearer(platform, gateway)
        instrument = f"kvf-upload-{suffix}"
        item = {"text": "Påstående", "min": LOW, "max": HIGH, "reverse": False, "scale": "s"}
        await post(
            gateway,
            admin,
            "/instruments",
            {"code": instrument, "version": 1, "items": [{"code": "q1", **item}]},
        )
        school = {
            "school_unit_code": f"940{suffix}",
            "name": "Uppladdningsskolan",
            "organisation_number": "212000-0142",
            "municipality_code": "0180",
            "arm": "intervention",
        }
        await post(gateway, admin, "/schools", school)
        wave = await post(
            gateway,
            admin,
            "/waves",
            {
                "school_unit_code": school["school_unit_code"],
                "instrument_code": instrument,
                "instrument_version": 1,
                "kind": "pre",
                "cohort": "2019",
                "administered_on": "2019-09-02",
            },
        )
        path = tmp_path / "pre.csv"
        rows = "".join(f"u-{n};{1 + n % 5}\r\n" for n in range(12))
        path.write_bytes(f"\ufeffrespondent;q1\r\n{rows}".encode())

        upload_args = ("upload", str(wave["id"]), str(path))
        checked = await asyncio.to_thread(kvf, platform, *upload_args, "--dry-run")
        assert checked == {"wave_id": wave["id"], "valid": 12}
        stored = await asyncio.to_thread(kvf, platform, *upload_args)
        assert stored == {"wave_id": wave["id"], "imported": 12}
        exported = await gateway.get(
            f"{API}/exports/responses", params={"wave": wave["id"]}, headers=admin
        )
        assert len(exported.text.strip().splitlines()) == 13
