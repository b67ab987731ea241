"""Progress per goal: how many counties plan, report and are approved, and each indicator's
latest approved value against baseline and target, per county and across counties."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from common.reference import COUNTIES
from services.goals.catalogue.schemas import GoalKind
from services.goals.indicators.measures import Direction, Measure, Number, Shown

ALL_COUNTIES = len(COUNTIES)
"""What every county count is out of: the 21 counties."""


class Comparison(StrEnum):
    """A county's latest approved value beside another figure, in the indicator's direction
    (`better` is higher for `increase`, lower for `decrease`)."""

    better = "better"
    same = "same"
    worse = "worse"


class TargetComparison(StrEnum):
    """Whether a county's latest approved value meets its target."""

    met = "met"
    not_met = "not_met"


class CountyName(BaseModel):
    """A county by its SCB code and Swedish name."""

    county_code: str = Field(description="Two-digit SCB county code (länskod).")
    county_name: str = Field(description="The county's official Swedish name.")


class ReportedValue(BaseModel):
    """A value as reported in one report."""

    report_id: int
    period: str
    version: int | None = Field(
        default=None,
        description="The report's approved version the value is taken from "
        "(GET /reports/{id}/versions/{number}); none for a pending value.",
    )
    value: Shown
    numerator: int | None
    denominator: int | None
    text: str | None


class CountyProgress(BaseModel):
    """One county's indicator: baseline, target, and its latest approved value."""

    county_code: str
    county_name: str = Field(description="The county's official Swedish name.")
    indicator_id: int
    baseline: Shown
    target: Shown
    latest: ReportedValue | None = Field(
        description="The value in the latest approved version of the county's latest approved "
        "report of the year (periods ordered H1, H2, whole year); a reopened report's approved "
        "value stands until it is approved again."
    )
    change: int | Number | None = Field(description="Latest value minus baseline (numbers).")
    target_reached: bool | None = Field(
        description="Whether the latest value meets the target in the indicator's direction."
    )
    pending: ReportedValue | None = Field(
        default=None,
        description="The value in a submitted report awaiting approval: shown to admin and to "
        "the county's own RSS only, never to a reader.",
    )
    vs_baseline: Comparison | None = Field(
        default=None,
        description="The latest approved value against the baseline, in the indicator's "
        "direction: `better`, `same` or `worse`. Yes/no: `same` when equal to the baseline, "
        "else `better` when it is the target answer; null without a value, a baseline, or "
        "(yes/no) a target, and for texts.",
    )
    vs_target: TargetComparison | None = Field(
        default=None,
        description="`met` or `not_met`: `target_reached` as a word; null when it is null.",
    )
    national_value: int | Number | None = Field(
        default=None,
        description="National indicators only: the national figure the value is compared with, "
        "from the approved values of every county (whatever rows the caller sees): a count's "
        "mean per county (the aggregate's sum / its `counties`, two decimals), a percentage's "
        "pooled per cent (the aggregate's `value`); null for yes/no, texts and counties' own "
        "indicators.",
    )
    vs_national: Comparison | None = Field(
        default=None,
        description="The latest approved value against `national_value`, in the indicator's "
        "direction: `better`, `same` or `worse`; null when either is missing.",
    )


class Aggregate(BaseModel):
    """Across the counties with an approved value: counts summed, percentages pooled
    (Σ numerators / Σ denominators), yes/no counted; none for texts."""

    counties: int = Field(description="How many counties' approved values the figure is made of.")
    of: int = Field(
        default=ALL_COUNTIES, description="Out of how many counties: always 21 (`counties` of 21)."
    )
    value: int | Number | None = Field(
        description="The sum (count) or the pooled per cent, Σ numerators / Σ denominators "
        "(percentage); none for yes/no."
    )
    numerator: int | None = None
    denominator: int | None = None
    mean: Number | None = Field(
        default=None,
        description="Percentage: the unweighted mean of the counties' per cents, each county "
        "counting once.",
    )
    baseline: int | Number | None = Field(
        default=None, description="Sum (count) or mean (percentage) of those counties' baselines."
    )
    target: int | Number | None = Field(
        default=None, description="Sum (count) or mean (percentage) of those counties' targets."
    )
    true_count: int | None = None
    false_count: int | None = None
    share: Number | None = Field(
        default=None,
        description="Yes/no: the share of these counties answering yes, in per cent.",
    )


class IndicatorProgress(BaseModel):
    """An indicator across counties: a national indicator by its code; counties' own
    indicators are taken as the same when their goal, name (case aside), measure and unit
    are equal."""

    national_code: str | None = Field(
        default=None, description="The national indicator's code; null for counties' own."
    )
    name: str
    measure: Measure
    unit: str | None
    direction: Direction | None
    counties: list[CountyProgress]
    aggregate: Aggregate | None


class GoalProgress(BaseModel):
    """One goal's progress in the year."""

    goal_code: str
    title: str
    title_en: str | None
    kind: GoalKind
    counties_with_plan: int | None = Field(
        description="Counties whose plan has the goal; null for a reader (not an approved figure)."
    )
    counties_with_submitted_report: int | None = Field(
        description="Counties with a report submitted or approved; null for a reader."
    )
    counties_with_approved_report: int
    of: int = Field(
        default=ALL_COUNTIES,
        description="Out of how many counties every `counties_with_*` count is: always 21.",
    )
    counties_without_plan: list[CountyName] | None = Field(
        default=None,
        description="The counties, of the 21, whose plan for the year lacks the goal or that "
        "have no plan, in code order; admin only (null for an RSS and a reader).",
    )
    counties_without_submitted_report: list[CountyName] | None = Field(
        default=None,
        description="The counties, of the 21, without a submitted or approved report of the "
        "year on a plan with the goal (a county without a plan included); admin only.",
    )
    counties_without_approved_report: list[CountyName] = Field(
        default_factory=list,
        description="The counties, of the 21, with no approved report of the year on a plan "
        "with the goal (a county without a plan included); for every role, as the approved "
        "count is.",
    )
    indicators: list[IndicatorProgress]


_EXAMPLE: JsonDict = {
    "year": 2019,
    "approved_only": False,
    "goals": [
        {
            "goal_code": "K1",
            "title": "Stärkt samverkan på lokal, regional och nationell nivå",
            "title_en": "Stronger collaboration at local, regional and national level",
            "kind": "kvinnofrid",
            "counties_with_plan": 21,
            "counties_with_submitted_report": 20,
            "counties_with_approved_report": 20,
            "of": 21,
            "counties_without_plan": [],
            "counties_without_submitted_report": [
                {"county_code": "09", "county_name": "Gotlands län"}
            ],
            "counties_without_approved_report": [
                {"county_code": "09", "county_name": "Gotlands län"}
            ],
            "indicators": [
                {
                    "national_code": "K1-HANDLPLAN",
                    "name": "Kommuner med handlingsplan",
                    "measure": "count",
                    "unit": "kommuner",
                    "direction": "increase",
                    "counties": [
                        {
                            "county_code": "12",
                            "county_name": "Skåne län",
                            "indicator_id": 7,
                            "baseline": 4,
                            "target": 12,
                            "latest": {
                                "report_id": 11,
                                "period": "2019H1",
                                "version": 2,
                                "value": 8,
                                "numerator": None,
                                "denominator": None,
                                "text": None,
                            },
                            "change": 4,
                            "target_reached": False,
                            "pending": None,
                            "vs_baseline": "better",
                            "vs_target": "not_met",
                            "national_value": 8.0,
                            "vs_national": "same",
                        }
                    ],
                    "aggregate": {
                        "counties": 20,
                        "of": 21,
                        "value": 160,
                        "numerator": None,
                        "denominator": None,
                        "mean": None,
                        "baseline": 80,
                        "target": 240,
                        "true_count": None,
                        "false_count": None,
                        "share": None,
                    },
                }
            ],
        }
    ],
}


class ProgressRead(BaseModel):
    """Progress of every goal the caller may see, for one year."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    year: int
    approved_only: bool = Field(description="True for a reader: only approved figures shown.")
    goals: list[GoalProgress]
