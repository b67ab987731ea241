"""What the documents show, read through the API only, as the caller's client sees it.

A section the caller may not see (403) is kept as `NotPublic`, so the document can say so
instead of failing; every other refusal is raised as `kvf.errors.Refused`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from kvf.errors import checked

FUNDING = "/funding/v1"
GOALS = "/goals/v1"
MVP = "/mvp-evaluation/v1"
PAGE = 100


@dataclass(frozen=True)
class NotPublic:
    """The API refused the caller this part (403): the document says it is not public."""

    path: str


def get(client: httpx.Client, path: str, **params: Any) -> Any:
    """The JSON body of a GET, or `Refused`."""
    return checked(client.get(path, params=params)).json()


def visible(client: httpx.Client, path: str, **params: Any) -> Any:
    """The JSON body of a GET, or `NotPublic` when the caller may not see it."""
    response = client.get(path, params=params)
    if response.status_code == 403:
        return NotPublic(path)
    return checked(response).json()


def every(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]] | NotPublic:
    """Every item of a paged list, or `NotPublic`."""
    items: list[dict[str, Any]] = []
    while True:
        page = visible(client, path, **params, limit=PAGE, offset=len(items))
        if isinstance(page, NotPublic):
            return page
        items += page["items"]
        if not page["items"] or len(items) >= page["total"]:
            return items


@dataclass
class Analysis:
    """One scale in one cohort: its effects and each pre wave's Cronbach's alpha."""

    cohort: str
    scale: str
    effects: dict[str, Any]
    reliability: list[dict[str, Any]] | NotPublic  # per pre wave, with `school_unit_code`


@dataclass
class Evaluation:
    """The MVP evaluation of the year's cohorts (those with a pre wave in the year)."""

    schools: dict[str, dict[str, Any]]
    analyses: list[Analysis] = field(default_factory=list)


@dataclass
class ResultsData:
    """Everything the results report shows, as the API returned it."""

    year: int
    fetched_at: datetime
    api_url: str
    summary: list[dict[str, Any]] | NotPublic
    calls: list[dict[str, Any]] | NotPublic
    applications: list[dict[str, Any]] | NotPublic
    progress: dict[str, Any] | NotPublic
    statuses: dict[str, dict[str, Any]] | NotPublic
    national: list[dict[str, Any]] | NotPublic
    evaluation: Evaluation | NotPublic


def results_data(client: httpx.Client, year: int) -> ResultsData:
    """Read the year's figures from every service."""
    summary = visible(client, f"{FUNDING}/summary", year=year)
    progress = visible(client, f"{GOALS}/progress", year=year)
    return ResultsData(
        year=year,
        fetched_at=datetime.now(UTC),
        api_url=str(client.base_url),
        summary=summary if isinstance(summary, NotPublic) else summary["accounts"],
        calls=every(client, f"{FUNDING}/calls"),
        applications=every(client, f"{FUNDING}/applications"),
        progress=progress,
        statuses=_statuses(client, year),
        national=every(client, f"{GOALS}/national-indicators"),
        evaluation=_evaluation(client, year),
    )


def _statuses(client: httpx.Client, year: int) -> dict[str, dict[str, Any]] | NotPublic:
    """The counties' reporting status in each opened period of the year (H1, H2, the year)."""
    found: dict[str, dict[str, Any]] = {}
    for period in (f"{year}H1", f"{year}H2", str(year)):
        response = client.get(f"{GOALS}/reporting-status", params={"period": period})
        if response.status_code == 403:
            return NotPublic(f"{GOALS}/reporting-status")
        if response.status_code != 404:  # 404: no admin opened this period
            found[period] = checked(response).json()
    return found


def _evaluation(client: httpx.Client, year: int) -> Evaluation | NotPublic:
    """Effects for every scale of every cohort whose pre wave was given in the year and that
    has a post wave, and alpha for each of its pre waves."""
    waves = every(client, f"{MVP}/waves")
    schools = every(client, f"{MVP}/schools")
    instruments = every(client, f"{MVP}/instruments")
    if isinstance(waves, NotPublic) or isinstance(schools, NotPublic):
        return NotPublic(f"{MVP}/waves")
    if isinstance(instruments, NotPublic):
        return NotPublic(f"{MVP}/instruments")
    scales = {
        (item["code"], item["version"]): [scale["code"] for scale in item["scales"]]
        for item in instruments
    }
    evaluation = Evaluation(schools={school["school_unit_code"]: school for school in schools})
    pre = [w for w in waves if w["kind"] == "pre" and w["administered_on"][:4] == str(year)]
    followed = {w["cohort"] for w in waves if w["kind"] == "post"}
    for cohort in sorted({w["cohort"] for w in pre} & followed):
        cohort_pre = [w for w in pre if w["cohort"] == cohort]
        cohort_scales = {
            scale
            for w in cohort_pre
            for scale in scales.get((w["instrument_code"], w["instrument_version"]), [])
        }
        for scale in sorted(cohort_scales):
            effects = get(client, f"{MVP}/effects", scale=scale, cohort=cohort)
            alphas: list[dict[str, Any]] = []
            refused: NotPublic | None = None
            for w in cohort_pre:
                if scale not in scales.get((w["instrument_code"], w["instrument_version"]), []):
                    continue
                alpha = visible(client, f"{MVP}/reliability", scale=scale, wave=w["id"])
                if isinstance(alpha, NotPublic):  # a wave's alpha is one school's figure
                    refused = alpha
                    break
                alphas.append(alpha | {"school_unit_code": w["school_unit_code"]})
            evaluation.analyses.append(Analysis(cohort, scale, effects, refused or alphas))
    return evaluation
