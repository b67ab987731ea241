"""Effects and reliability as the API returns them."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from services.mvp_evaluation.analyses.suppression import Withheld
from services.mvp_evaluation.schools.schemas import Arm


class Comparison(StrEnum):
    """The wave an effect compares with the pre wave."""

    post = "post"
    follow_up = "follow_up"


_PAIRED: JsonDict = {
    "n": 112,
    "mean_pre": 3.21,
    "mean_post": 3.58,
    "mean_diff": 0.37,
    "sd_diff": 0.81,
    "ci95_low": 0.22,
    "ci95_high": 0.52,
    "p_value": 0.0000031,
    "d_z": 0.457,
    "hedges_g": 0.454,
    "suppressed": False,
}
_SUPPRESSED: JsonDict = dict.fromkeys(_PAIRED) | {"suppressed": True}


class PairedRead(BaseModel):
    """Respondents with a scale score at pre and at the compared wave (post, or follow_up
    with `compare=follow_up`): the change from pre to that wave. `post` in a field's name is
    that wave."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PAIRED, _SUPPRESSED]})

    n: int | None = Field(description="Respondents with a score at pre and the compared wave.")
    mean_pre: float | None = Field(description="Mean pre score of these respondents.")
    mean_post: float | None = Field(
        description="Mean score of these respondents at the compared wave (post or follow_up)."
    )
    mean_diff: float | None = Field(description="Mean of (compared wave − pre).")
    sd_diff: float | None = Field(description="SD (n − 1) of (compared wave − pre).")
    ci95_low: float | None = Field(description="95 % t interval of the mean difference.")
    ci95_high: float | None = Field(description="95 % t interval of the mean difference.")
    p_value: float | None = Field(description="Paired t-test, two-sided.")
    d_z: float | None = Field(description="mean_diff / sd_diff.")
    hedges_g: float | None = Field(description="J·d_z, J = 1 − 3/(4(n − 1) − 1).")
    suppressed: bool = Field(
        description="Hidden from this client: a school's figures by its `withheld`; pooled "
        "figures when from fewer respondents than the limit or when they would reveal a "
        "hidden school by subtraction."
    )


class SchoolEffect(BaseModel):
    """One school's paired figures."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"school_unit_code": "12345678", "arm": "intervention", "paired": _PAIRED}]
        }
    )

    school_unit_code: str
    arm: Arm
    paired: PairedRead
    withheld: Withheld | None = Field(
        default=None,
        description="Why this school's figures are hidden from this client, null when shown: "
        "`small_cell` (fewer respondents than KVF_MIN_CELL_SIZE), `other_organiser` (an "
        "organiser sees its own schools only), `pooled_only` (readers and RSS see pooled "
        "figures only).",
    )


class PooledRead(BaseModel):
    """The paired figures of every intervention school's respondents together."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"paired": _PAIRED}]})

    paired: PairedRead


_MULTILEVEL: JsonDict = {
    "estimate": 0.24,
    "se": 0.081,
    "ci95_low": 0.042,
    "ci95_high": 0.438,
    "p_value": 0.025,
    "standardized": 0.29,
    "n_schools": 8,
    "n_pupils": 800,
    "icc_conditional": 0.031,
    "reason": None,
    "suppressed": False,
}
_UNFIT: JsonDict = dict.fromkeys(_MULTILEVEL) | {
    "reason": "1 comparison school(s) with paired respondents; the model needs at least two "
    "schools in each arm.",
    "suppressed": False,
}
_CONTROLLED: JsonDict = {
    "n_intervention": 412,
    "n_comparison": 388,
    "d_ppc2": 0.31,
    "multilevel": _MULTILEVEL,
    "suppressed": False,
}


class MultilevelRead(BaseModel):
    """A linear mixed model on the paired respondents of both arms,
    `score_after ~ 1 + arm + score_pre + (1 | school)` (arm = 1 for intervention, 0 for
    comparison; a random intercept per school), fitted by REML. Every figure is null when
    the model cannot be fitted (`reason` says why: fewer than two schools with paired
    respondents in an arm, pre scores without spread, no convergence, or a singular fit with
    the school or residual variance estimated at zero), and when it is suppressed."""

    model_config = ConfigDict(json_schema_extra={"examples": [_MULTILEVEL, _UNFIT]})

    estimate: float | None = Field(
        description="β_arm: the intervention − comparison difference in the compared wave's "
        "score, adjusted for the pre score, in scale points."
    )
    se: float | None = Field(
        description="Standard error of the estimate: from the inverse of the negative Hessian "
        "of the REML criterion (σ² profiled out) in (β, σ²_school/σ²), as statsmodels MixedLM."
    )
    ci95_low: float | None = Field(
        description="estimate − t(0.975; n_schools − 2)·se: the 95 % interval's lower end."
    )
    ci95_high: float | None = Field(
        description="estimate + t(0.975; n_schools − 2)·se: the 95 % interval's upper end."
    )
    p_value: float | None = Field(
        description="Two-sided p of t = estimate / se with n_schools − 2 degrees of freedom."
    )
    standardized: float | None = Field(
        description="estimate ÷ the pooled pre SD of d_ppc2 (the arms' pre SDs of the paired "
        "respondents pooled with weights n − 1, no J correction); null when that SD is."
    )
    n_schools: int | None = Field(description="Schools with paired respondents, both arms.")
    n_pupils: int | None = Field(description="Paired respondents in the model, both arms.")
    icc_conditional: float | None = Field(
        description="σ²_school ÷ (σ²_school + σ²_residual) of the fitted model (conditional "
        "on arm and pre score)."
    )
    reason: str | None = Field(
        description="Why the model was not fitted; null when it was (and when suppressed)."
    )
    suppressed: bool = Field(
        description="Hidden under the small-cell rule of the controlled figures: every figure "
        "and the reason are null."
    )


class ControlledRead(BaseModel):
    """Morris (2008) d_ppc2 of the intervention against the comparison arm, and the
    multilevel estimate beside it."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CONTROLLED]})

    n_intervention: int | None = Field(description="Paired respondents of the intervention arm.")
    n_comparison: int | None = Field(description="Paired respondents of the comparison arm.")
    d_ppc2: float | None = Field(
        description="Morris (2008) d_ppc2 with J = 1 − 3/(4(n_T + n_C − 2) − 1)."
    )
    multilevel: MultilevelRead = Field(
        description="The REML mixed model's arm effect, which respects the schools."
    )
    suppressed: bool = Field(
        description="Hidden: an arm's respondents are fewer than the limit, or would reveal a "
        "hidden school by subtraction; the multilevel estimate is then suppressed too."
    )


class EffectsRead(BaseModel):
    """Effects on one scale in one cohort: per school, pooled, controlled, and the ICC."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scale": "attityd",
                    "cohort": "2019",
                    "compare": "post",
                    "schools": [
                        {"school_unit_code": "12345678", "arm": "intervention", "paired": _PAIRED},
                        {
                            "school_unit_code": "23456789",
                            "arm": "comparison",
                            "paired": _SUPPRESSED,
                            "withheld": "small_cell",
                        },
                    ],
                    "pooled": {"paired": _PAIRED},
                    "controlled": _CONTROLLED,
                    "icc": 0.042,
                    "icc_suppressed": False,
                }
            ]
        }
    )

    scale: str
    cohort: str
    compare: Comparison = Field(
        description="The wave compared with pre in every paired and controlled figure: "
        "post, or follow_up."
    )
    schools: list[SchoolEffect]
    pooled: PooledRead
    controlled: ControlledRead
    icc: float | None = Field(description="ICC(1) of the pre scores, schools as groups.")
    icc_suppressed: bool = Field(description="The ICC is hidden under the small-cell rule.")


class ReliabilityRead(BaseModel):
    """Cronbach's alpha of a scale in one wave, on complete cases."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scale": "attityd",
                    "wave": 1,
                    "n": 118,
                    "items": 6,
                    "alpha": 0.81,
                    "suppressed": False,
                }
            ]
        }
    )

    scale: str
    wave: int
    n: int | None = Field(description="Respondents who answered every item of the scale.")
    items: int = Field(description="Items in the scale.")
    alpha: float | None
    suppressed: bool
