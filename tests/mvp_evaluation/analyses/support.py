"""What the analyses tests share: schools' answers uploaded as pre and post waves, and the
effects an API user reads."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.mvp_evaluation.analyses.reference import CODES, School
from tests.mvp_evaluation.support import BASE, Survey, csv_text
from tests.support import expect

PAIRED_FIELDS = (
    "n",
    "mean_pre",
    "mean_post",
    "mean_diff",
    "sd_diff",
    "ci95_low",
    "ci95_high",
    "p_value",
    "d_z",
    "hedges_g",
)
MULTILEVEL_FIELDS = (
    "estimate",
    "se",
    "ci95_low",
    "ci95_high",
    "p_value",
    "standardized",
    "n_schools",
    "n_pupils",
    "icc_conditional",
)


async def upload(survey: Survey, schools: list[School], cohort: str = "2019") -> dict[str, int]:
    """Each school registered with pre (semicolon CSV), post (JSON) and follow-up (comma CSV)
    waves; the pre waves' ids. The respondent codes are made the school's own (its code
    before them), as pupils' are."""
    return {code: ids["pre"] for code, ids in (await upload_waves(survey, schools, cohort)).items()}


async def upload_waves(
    survey: Survey, schools: list[School], cohort: str = "2019"
) -> dict[str, dict[str, int]]:
    """As `upload`; every wave's id by school and kind."""
    waves: dict[str, dict[str, int]] = {}
    for school in schools:
        await survey.school(school.arm, code=school.code, owner=school.owner)
        pre = await survey.wave(school.code, "pre", cohort)
        rows = [(f"{school.code}-{code}", answers) for code, answers in school.pre.items()]
        expect(await survey.post(pre, csv_text(rows, CODES, ";")), 201)
        waves[school.code] = {"pre": pre}
        if school.post:
            post = await survey.wave(school.code, "post", cohort)
            body = [
                {
                    "respondent": f"{school.code}-{code}",
                    "answers": dict(zip(CODES, answers, strict=True)),
                }
                for code, answers in school.post.items()
            ]
            response = await survey.post(post, json.dumps({"responses": body}), "application/json")
            expect(response, 201)
            waves[school.code]["post"] = post
        if school.follow_up:
            later = await survey.wave(school.code, "follow_up", cohort)
            later_rows = [(f"{school.code}-{c}", a) for c, a in school.follow_up.items()]
            expect(await survey.post(later, csv_text(later_rows, CODES, ",")), 201)
            waves[school.code]["follow_up"] = later
    return waves


async def effects(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    scale: str = "attityd",
    compare: str | None = None,
) -> dict[str, Any]:
    """GET /effects of cohort 2019 that must succeed; `compare` left out unless given."""
    params = {"scale": scale, "cohort": "2019"} | ({"compare": compare} if compare else {})
    response = await client.get(f"{BASE}/effects", params=params, headers=headers)
    return expect(response, 200)
