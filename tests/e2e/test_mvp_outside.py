"""The MVP evaluation checked from outside, through a real gateway: questionnaire data with a
known effect goes in as semicolon CSV and as JSON; effect sizes, intervals and alpha are
compared with the independent computation of the service's own tests (SciPy, pingouin); a
reader's view of a small school is suppressed; a bad batch stores nothing."""

from __future__ import annotations

import asyncio
import math
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from tests.e2e.outside import admin_bearer, bearer, kvf
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


async def post(
    gateway: httpx.AsyncClient, headers: dict[str, str], path: str, body: dict[str, Any]
) -> Any:
    response = await gateway.post(
        f"{API}{path}", json=body, headers={**headers, "Idempotency-Key": str(uuid.uuid4())}
    )
    return expect(response, 201)


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
    schools = [
        reference.generate(rng, f"910{suffix}", "intervention", 40, 0.6),
        reference.generate(rng, f"920{suffix}", "intervention", 6, 0.6),  # small: suppressed
        reference.generate(rng, f"930{suffix}", "comparison", 35, 0.1),
    ]
    large, small, comparison = schools
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=60) as gateway:
        evaluator = await bearer(platform, gateway, "evaluator")
        reader = await bearer(platform, gateway, "reader")
        instrument = f"mvp-e2e-{suffix}"
        await post(
            gateway,
            evaluator,
            "/instruments",
            {"code": instrument, "version": 1, "items": reference.ITEMS},
        )
        waves: dict[tuple[str, str], int] = {}
        for school in schools:
            await post(
                gateway,
                evaluator,
                "/schools",
                {
                    "school_unit_code": school.code,
                    "name": f"E2E-skolan {school.code}",
                    "organisation_number": "212000-0142",
                    "municipality_code": "1280",
                    "arm": school.arm,
                },
            )
            for kind, administered_on in (("pre", "2019-09-02"), ("post", "2020-05-29")):
                wave = await post(
                    gateway,
                    evaluator,
                    "/waves",
                    {
                        "school_unit_code": school.code,
                        "instrument_code": instrument,
                        "instrument_version": 1,
                        "kind": kind,
                        "cohort": cohort,
                        "administered_on": administered_on,
                    },
                )
                waves[school.code, kind] = wave["id"]
            sent_csv = await upload(
                gateway, evaluator, waves[school.code, "pre"], semicolon_csv(school.pre), "text/csv"
            )
            assert sent_csv.status_code == 201, sent_csv.text
            assert sent_csv.json()["imported"] == len(school.pre)
            sent_json = await gateway.post(
                f"{API}/waves/{waves[school.code, 'post']}/responses",
                json=as_json(school.post),
                headers={**evaluator, "Idempotency-Key": str(uuid.uuid4())},
            )
            assert sent_json.status_code == 201, sent_json.text
            assert sent_json.json()["imported"] == len(school.post)

        # The effects, as an evaluator sees them, against an independent computation.
        effects = await gateway.get(
            f"{API}/effects", params={"scale": SCALE, "cohort": cohort}, headers=evaluator
        )
        assert effects.status_code == 200, effects.text
        body = effects.json()
        by_school = {shown["school_unit_code"]: shown for shown in body["schools"]}
        for school in schools:
            expected = reference.paired(*reference.pairs([school]))
            for field, value in expected.items():
                assert close(by_school[school.code]["paired"][field], value), (school.code, field)

        treated = [large, small]
        pre_t, post_t = reference.pairs(treated)
        assert body["controlled"]["n_intervention"] == len(pre_t)
        assert body["controlled"]["n_comparison"] == len(reference.pairs([comparison])[0])
        d_ppc2 = reference.d_ppc2(treated, [comparison])
        assert close(body["controlled"]["d_ppc2"], d_ppc2)
        assert d_ppc2 > 0.3  # the generated effect is there
        pooled_diff = post_t - pre_t
        assert body["pooled"]["paired"]["n"] == len(pre_t)
        assert close(body["pooled"]["paired"]["mean_diff"], pooled_diff.mean())
        assert close(body["pooled"]["paired"]["sd_diff"], pooled_diff.std(ddof=1))
        assert close(body["icc"], reference.icc1(schools))

        # Cronbach's alpha of the large school's pre wave, on complete cases.
        n_complete, alpha = reference.alpha(list(large.pre.values()))
        reliability = await gateway.get(
            f"{API}/reliability",
            params={"scale": SCALE, "wave": waves[large.code, "pre"]},
            headers=evaluator,
        )
        assert reliability.status_code == 200, reliability.text
        assert reliability.json()["n"] == n_complete
        assert close(reliability.json()["alpha"], alpha)

        # A reader sees the small school suppressed, the large one in full.
        seen = await gateway.get(
            f"{API}/effects", params={"scale": SCALE, "cohort": cohort}, headers=reader
        )
        assert seen.status_code == 200, seen.text
        shown = {school["school_unit_code"]: school for school in seen.json()["schools"]}
        hidden = shown[small.code]["paired"]
        assert hidden["suppressed"] is True
        assert hidden["d_z"] is None
        assert hidden["mean_diff"] is None
        assert shown[large.code]["paired"]["suppressed"] is False
        expected_d_z = reference.paired(*reference.pairs([large]))["d_z"]
        assert close(shown[large.code]["paired"]["d_z"], expected_d_z)

        # A bad batch stores nothing, and says what is wrong with every bad row.
        follow_up = await post(
            gateway,
            evaluator,
            "/waves",
            {
                "school_unit_code": large.code,
                "instrument_code": instrument,
                "instrument_version": 1,
                "kind": "follow_up",
                "cohort": cohort,
                "administered_on": "2020-11-30",
            },
        )
        bad = (
            f"respondent;{';'.join(reference.CODES)}\r\n"
            "a-1;3;4;2;5;3;3;2;1\r\n"
            "a-2;9;4;2;5;3;3;2;1\r\n"
            "19900101-1234;3;4;2;5;3;3;2;1\r\n"
            "a-4;3;4;2;1;3;3;2;1\r\n"
        ).encode()
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
        item = {"text": "Påstående", "min": 1, "max": 5, "reverse": False, "scale": "s"}
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
